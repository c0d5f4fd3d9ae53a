import { expect, fixture, fixtureCleanup, html, nextFrame, waitUntil } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import { emulateMedia } from '@web/test-runner-commands';
import '../../../src/elements/league-standings/league-standings.js';
import '../../../src/elements/live-ticker/live-ticker.js';
import '../../../src/elements/rss-feed/rss-feed.js';
import '../../../src/elements/service-status/service-status.js';
import type { EventInput } from '../../../src/core/wire.js';
import { commandsWork, itInChromium } from '../helpers.js';

// Issue 14: a changed row or item is highlighted by a pseudo-element behind it for
// --live-flash-duration, not animated (a page with fades running made main-thread frames several
// times a second): nothing in the table laid out again or moved, the whole row covered, each
// highlight gone on time, and nothing under reduced motion.

const iso = new Date().toISOString();

interface Widget extends HTMLElement {
  items: unknown;
  updateComplete: Promise<unknown>;
  applyEvents(events: EventInput[]): void;
}

interface Case {
  name: string;
  template: TemplateResult;
  data: Record<string, unknown>;
  change: EventInput[];
  /** The row or item that changes. */
  row: (root: ShadowRoot) => HTMLElement;
}

const team = (id: string, rank: number, wins: number) => ({ id, rank, name: `Team ${id}`, wins, losses: 9 - wins, pointsFor: 100 * wins });
const league = (wins: number) => ({ name: 'Premier', season: '2026', teams: [team('a', 1, 8), team('b', 2, wins), team('c', 3, 2)] });
const services = {
  a: { name: 'Ingest', status: 'running', progress: 40, queued: 9, processed: 99, message: 'working', updatedAt: iso },
  b: { name: 'Billing', status: 'completed', updatedAt: iso },
};
const serviceChange: EventInput[] = [{ topic: 'services', key: 'a', op: 'patch', data: { progress: 60, queued: 10, processed: 100 } }];
const item = (i: number) => ({ id: `${i}`, title: `Headline ${i}`, link: `https://example.com/${i}`, published: new Date(Date.now() - (10 - i) * 60_000).toISOString(), source: 'Wire' });

const CASES: Case[] = [
  {
    name: '<league-standings>',
    template: html`<league-standings key="p" locale="en-US" style="width:500px"></league-standings>`,
    data: { p: league(5) },
    change: [{ topic: 'leagues', key: 'p', op: 'upsert', data: league(6) }],
    row: (root) => root.querySelector('tr[data-team="b"]')!,
  },
  {
    name: '<service-status> (table)',
    template: html`<service-status locale="en-US" style="width:700px"></service-status>`,
    data: services,
    change: serviceChange,
    row: (root) => root.querySelector('tr[data-key="a"]')!,
  },
  {
    name: '<service-status> (stacked, narrow)',
    template: html`<service-status locale="en-US" style="width:300px"></service-status>`,
    data: services,
    change: serviceChange,
    row: (root) => root.querySelector('tr[data-key="a"]')!,
  },
  {
    name: '<rss-feed>',
    template: html`<rss-feed key="n" limit="3" locale="en-US" style="width:400px"></rss-feed>`,
    data: { n: [item(1), item(2), item(3)] },
    change: [{ topic: 'rss', key: 'n', op: 'append', data: item(4) }],
    row: (root) => root.querySelector('li')!,
  },
  {
    name: '<live-ticker>',
    template: html`<live-ticker locale="en-US" style="width:1200px"></live-ticker>`,
    data: { KO: { symbol: 'KO', price: 63.1, change: -0.85, changePercent: -1.33 }, JPM: { symbol: 'JPM', price: 240.8, change: 1, changePercent: 0.4 } },
    change: [{ topic: 'trades', key: 'KO', op: 'patch', data: { price: 63.5, change: -0.45, changePercent: -0.7 } }],
    row: (root) => root.querySelector('li[data-key="KO"]')!,
  },
];

async function ready(c: Case): Promise<Widget> {
  const el = await fixture<Widget>(c.template);
  el.items = c.data;
  await el.updateComplete;
  await nextFrame();
  return el;
}

/** Where every box of the widget is: what must not move when a row starts to flash. */
function boxes(root: ShadowRoot): string[] {
  return [...root.querySelectorAll('th, td, li, li > *, caption')].map((e) => {
    const r = e.getBoundingClientRect();
    return `${e.localName} ${r.x},${r.y} ${r.width}x${r.height}`;
  });
}

/** How wide the flash drawn behind `row` is: its own pseudo-element's, or the sum of its cells'. */
function flashWidth(row: HTMLElement): number {
  const width = (e: Element) => {
    const s = getComputedStyle(e, '::after');
    return s.display === 'none' || s.content === 'none' || s.content === 'normal' ? 0 : parseFloat(s.width);
  };
  return width(row) + [...row.children].reduce((sum, cell) => sum + width(cell), 0);
}

describe('flash of a changed row', () => {
  afterEach(async () => {
    if (commandsWork) await emulateMedia({ reducedMotion: 'no-preference' });
  });

  for (const c of CASES) {
    it(`${c.name}: highlights the whole row with a pseudo-element behind it, animates nothing of it, moves nothing, and ends on time`, async () => {
      const el = await ready(c);
      el.style.setProperty('--live-flash-duration', '300ms');
      const root = el.shadowRoot!;
      const before = boxes(root);
      el.applyEvents(c.change);
      await el.updateComplete;
      await nextFrame();
      const row = c.row(root);
      expect(row.getAttribute('part')).to.match(/-changed$/);
      // The flash, and any other animation the change started (a progress bar filling).
      const animated = root
        .querySelector('[part="base"]')!
        .getAnimations({ subtree: true })
        .map((a) => {
          const effect = a.effect as KeyframeEffect;
          const properties = new Set(effect.getKeyframes().flatMap((k) => Object.keys(k)));
          for (const p of ['offset', 'computedOffset', 'easing', 'composite']) properties.delete(p);
          return `${effect.pseudoElement ?? 'element'}: ${[...properties].join(', ')}`;
        });
      expect(animated.filter((a) => a.startsWith('::after')), 'the highlight is not animated').to.deep.equal([]);
      for (const a of animated) expect(a, 'compositor-only properties').to.match(/: (opacity|transform|scale|translate|rotate)$/);
      expect(flashWidth(row), 'the flash covers the row').to.be.at.least(row.getBoundingClientRect().width - 1);
      expect(boxes(root)).to.deep.equal(before);
      await waitUntil(() => !/-changed/.test(c.row(root).getAttribute('part')!), 'the highlight to end', { timeout: 1000 });
      expect(flashWidth(c.row(root)), 'the highlight is gone').to.equal(0);
    });
  }

  it('ends each highlight on time, however often new ones begin', async () => {
    const el = await fixture<Widget>(html`<service-status locale="en-US" style="width:700px; --live-flash-duration: 400ms"></service-status>`);
    el.items = services;
    await el.updateComplete;
    const part = (key: string) => el.shadowRoot!.querySelector(`tr[data-key="${key}"]`)!.getAttribute('part');
    el.applyEvents([{ topic: 'services', key: 'a', op: 'patch', data: { progress: 61 } }]);
    await el.updateComplete;
    const start = performance.now();
    await new Promise((r) => setTimeout(r, 250));
    el.applyEvents([{ topic: 'services', key: 'b', op: 'patch', data: { message: 'done' } }]);
    await el.updateComplete;
    expect([part('a'), part('b')]).to.deep.equal(['row row-changed', 'row row-changed']);
    await waitUntil(() => part('a') === 'row', 'the first highlight to end', { timeout: 2000 });
    const ended = performance.now() - start;
    expect(part('b'), 'the second is still on').to.equal('row row-changed');
    expect(ended, 'the first ended after its 400 ms, not after the second').to.be.within(380, 600);
    await waitUntil(() => part('b') === 'row', 'the second highlight to end', { timeout: 2000 });
  });

  itInChromium('does not flash under prefers-reduced-motion', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    for (const c of CASES) {
      const el = await ready(c);
      el.applyEvents(c.change);
      await el.updateComplete;
      await nextFrame();
      expect(c.row(el.shadowRoot!).getAttribute('part'), c.name).to.match(/-changed$/);
      expect(el.shadowRoot!.querySelector('[part="base"]')!.getAnimations({ subtree: true }), c.name).to.have.length(0);
      expect(flashWidth(c.row(el.shadowRoot!)), c.name).to.equal(0);
      // One at a time in the viewport: an unseen widget does not render live changes.
      fixtureCleanup();
    }
  });
});
