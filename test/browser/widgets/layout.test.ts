import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../../src/elements/league-standings/league-standings.js';
import '../../../src/elements/rss-feed/rss-feed.js';
import '../../../src/elements/service-status/service-status.js';

// Issue 14: a widget's loading skeleton is as tall as its data (rows / limit), and once drawn it
// never shrinks: fewer items, an error or an empty state leave the page below where it was.

const iso = new Date().toISOString();
const height = (el: Element) => el.getBoundingClientRect().height;

/** Lets layout and the widget's ResizeObserver run. */
async function settle(el: HTMLElement): Promise<void> {
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  await nextFrame();
  await nextFrame();
}

const CASES: Array<{ name: string; template: TemplateResult; data: Record<string, unknown> }> = [
  {
    name: '<league-standings rows="3">',
    template: html`<league-standings key="p" rows="3" style="width:500px"></league-standings>`,
    data: { p: { name: 'Premier', season: '2026', teams: [1, 2, 3].map((i) => ({ id: `t${i}`, rank: i, name: `Team ${i}`, wins: i, losses: 3 - i })) } },
  },
  {
    name: '<service-status rows="2"> (wide)',
    template: html`<service-status rows="2" style="width:700px"></service-status>`,
    data: {
      a: { name: 'Ingest', status: 'running', progress: 40, queued: 1, processed: 2, message: 'working', updatedAt: iso },
      b: { name: 'Billing', status: 'completed', updatedAt: iso },
    },
  },
  {
    name: '<service-status rows="2"> (stacked, narrow)',
    template: html`<service-status rows="2" style="width:300px"></service-status>`,
    data: {
      a: { name: 'Ingest', status: 'running', progress: 40, queued: 1, processed: 2, message: 'working', updatedAt: iso },
      b: { name: 'Billing', status: 'idle', updatedAt: iso },
    },
  },
  {
    name: '<rss-feed limit="3">',
    template: html`<rss-feed limit="3" style="width:400px"></rss-feed>`,
    data: { n: [1, 2, 3].map((i) => ({ id: `${i}`, title: `A rather long headline number ${i} that would wrap in a narrow box`, link: `https://example.com/${i}`, published: iso, source: 'Wire' })) },
  },
];

describe('layout: skeletons and a floor', () => {
  for (const { name, template, data } of CASES) {
    it(`${name}: the skeleton is as tall as the data, within a few pixels, and the data does not move the page`, async () => {
      const el = await fixture<HTMLElement>(template);
      await settle(el);
      const skeleton = height(el);
      (el as unknown as { items: unknown }).items = data;
      await settle(el);
      const content = el.shadowRoot!.querySelector('[part="base"]')!.getBoundingClientRect().height;
      expect(content, 'data taller than its skeleton').to.be.at.most(skeleton + 0.5);
      expect(skeleton - content, 'skeleton much taller than its data').to.be.below(12);
      expect(height(el)).to.equal(skeleton);
    });
  }

  it('an error or an empty state after data does not shrink the widget', async () => {
    const el = await fixture<HTMLElement>(CASES[0].template);
    (el as unknown as { items: unknown }).items = CASES[0].data;
    await settle(el);
    const shown = height(el);
    (el as unknown as { error: unknown }).error = { code: 'x', message: 'the relay went away' };
    await settle(el);
    expect(height(el)).to.equal(shown);
    (el as unknown as { items: unknown }).items = {};
    await settle(el);
    expect(el.hasAttribute('empty')).to.equal(true);
    expect(height(el)).to.equal(shown);
  });

  it('narrow tables fit their box: no horizontal overflow at 280px', async () => {
    for (const { template, data } of CASES.slice(0, 2)) {
      const wrap = await fixture<HTMLElement>(html`<div style="width:280px">${template}</div>`);
      const el = wrap.firstElementChild as HTMLElement;
      el.style.width = '';
      (el as unknown as { items: unknown }).items = data;
      await settle(el);
      expect(el.scrollWidth, el.localName).to.be.at.most(el.clientWidth);
    }
  });
});
