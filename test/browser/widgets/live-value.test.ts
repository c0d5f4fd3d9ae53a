import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/live-value/live-value.js';
import type { LiveValue } from '../../../src/elements/live-value/live-value.js';
import type { LiveChangeEvent } from '../../../src/elements/shared/live-change-event.js';
import { commandsWork, itInChromium, publish, relays, uniqueTopic, waitFor } from '../helpers.js';

const shown = (el: LiveValue) => el.shadowRoot!.querySelector('[part="value"]')?.textContent ?? null;

async function valueOf(data: unknown, attrs: Partial<Pick<LiveValue, 'format' | 'field' | 'currency'>> = {}): Promise<LiveValue> {
  const el = await fixture<LiveValue>(html`<live-value locale="en-US" key="k"></live-value>`);
  Object.assign(el, attrs);
  el.items = { k: data };
  await el.updateComplete;
  return el;
}

describe('<live-value>', () => {
  describe('formats', () => {
    it('number, currency, percent, compact, date and relative time with Intl in its locale', async () => {
      expect(shown(await valueOf(1641254))).to.equal('1,641,254');
      expect(shown(await valueOf(1641254.5, { format: 'currency', currency: 'EUR' }))).to.equal('€1,641,254.50');
      expect(shown(await valueOf(0.125, { format: 'percent' }))).to.equal('12.5%');
      expect(shown(await valueOf(1641254, { format: 'compact' }))).to.equal('1.6M');
      expect(shown(await valueOf('2026-11-23T08:20:00.000Z', { format: 'date' }))).to.match(/^Nov 23, 2026/);
      expect(shown(await valueOf(new Date(Date.now() - 3 * 60_000).toISOString(), { format: 'relative-time' }))).to.equal('3 minutes ago');
      const de = await fixture<LiveValue>(html`<live-value locale="de-DE" key="k"></live-value>`);
      de.items = { k: 1641254 };
      await de.updateComplete;
      expect(shown(de)).to.equal('1.641.254');
    });

    it('shows a value the format cannot read as it is, and an unknown currency as a plain number', async () => {
      expect(shown(await valueOf('n/a'))).to.equal('n/a');
      expect(shown(await valueOf(12, { format: 'currency', currency: 'NOPE!' }))).to.equal('12');
    });
  });

  it('passes axe inside a paragraph, loading and with a value', async () => {
    const p = await fixture(html`<p>Whip at <live-value locale="en-US" key="k" announce label="Whip">1,641,254</live-value> gp</p>`);
    await expect(p).to.be.accessible();
    const el = p.querySelector('live-value')!;
    el.items = { k: 5 };
    await el.updateComplete;
    await expect(p).to.be.accessible();
  });

  it('reads a dotted field of the value', async () => {
    const el = await valueOf({ status: { progress: 42, queued: 1200 } }, { field: 'status.queued' });
    expect(shown(el)).to.equal('1,200');
    expect(el.value).to.equal(1200);
  });

  it('is inline and inherits the surrounding font', async () => {
    const p = await fixture(html`<p style="font: italic 21px serif">Whip at <live-value locale="en-US" key="k"></live-value> gp</p>`);
    const el = p.querySelector('live-value')!;
    el.items = { k: 5 };
    await el.updateComplete;
    const span = el.shadowRoot!.querySelector('[part="value"]')!;
    expect(getComputedStyle(el).display).to.equal('inline');
    expect(getComputedStyle(span).fontSize).to.equal('21px');
    expect(getComputedStyle(span).fontStyle).to.equal('italic');
  });

  describe('placeholder', () => {
    it('keeps the width of its text content until the value arrives, so the sentence does not reflow', async () => {
      const p = await fixture(html`<p style="font: 16px monospace">at <live-value locale="en-US" key="k">1,641,254</live-value> gp</p>`);
      const el = p.querySelector('live-value')!;
      await el.updateComplete;
      expect(el.getAttribute('phase')).to.equal('loading');
      const placeholder = el.shadowRoot!.querySelector('[part="placeholder"]')!;
      expect(placeholder.getAttribute('aria-hidden')).to.equal('true');
      const before = el.getBoundingClientRect().width;
      expect(before).to.be.greaterThan(0);
      el.items = { k: 1641299 };
      await el.updateComplete;
      expect(shown(el)).to.equal('1,641,299');
      expect(Math.abs(el.getBoundingClientRect().width - before)).to.be.lessThan(1);
    });

    it('never narrows: a value that loses digits leaves the words after it where they were', async () => {
      const p = await fixture(html`<p style="font: 16px sans-serif; width: 600px">at <live-value locale="en-US" key="k">1,641,254</live-value> <b>gp</b> each</p>`);
      const el = p.querySelector('live-value')!;
      const after = () => p.querySelector('b')!.getBoundingClientRect().left;
      await el.updateComplete;
      const start = after();
      for (const k of [1641299, 5, 12]) {
        el.items = { k };
        await el.updateComplete;
        // The floor is set by a ResizeObserver, after layout.
        await nextFrame();
        await nextFrame();
        expect(after(), String(k)).to.equal(start);
      }
    });

    it('without text content, is as wide as a typical value of its format', async () => {
      const el = await fixture<LiveValue>(html`<live-value locale="en-US" format="currency" style="font: 16px monospace"></live-value>`);
      const width = el.getBoundingClientRect().width;
      const ch = 16 * 0.6;
      // "$12,345.67": ten monospace characters.
      expect(width).to.be.within(8 * ch, 12 * ch);
    });
  });

  describe('flash and events', () => {
    afterEach(async () => {
      if (commandsWork) await emulateMedia({ reducedMotion: 'no-preference' });
    });

    it('flashes on a change (not on the first value) for --live-flash-duration, animating nothing, and fires live-change', async () => {
      const el = await valueOf(1);
      el.style.setProperty('--live-flash-duration', '300ms');
      const span = () => el.shadowRoot!.querySelector('[part="value"]')!;
      // The highlight: a pseudo-element behind the value, shown while the value is new.
      const highlighted = () => !['none', 'normal'].includes(getComputedStyle(span(), '::after').content);
      expect(highlighted(), 'the first value is no change').to.equal(false);
      const events: LiveChangeEvent[] = [];
      el.addEventListener('live-change', (e) => events.push(e));
      el.items = { k: 2 };
      await el.updateComplete;
      expect(highlighted()).to.equal(true);
      expect(span().getAnimations({ subtree: true }), 'nothing animated').to.have.length(0);
      expect(events.map((e) => e.detail.keys)).to.deep.equal([['k']]);
      const start = performance.now();
      await waitUntil(() => !highlighted(), 'the highlight to end', { timeout: 2000 });
      expect(performance.now() - start).to.be.within(250, 800);
      // The same value again is no change.
      el.items = { k: 2 };
      await el.updateComplete;
      expect(events).to.have.length(1);
    });

    itInChromium('does not flash under prefers-reduced-motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const el = await valueOf(1);
      el.items = { k: 2 };
      await el.updateComplete;
      expect(shown(el)).to.equal('2');
      expect(getComputedStyle(el.shadowRoot!.querySelector('[part="value"]')!, '::after').content, 'no highlight').to.be.oneOf(['none', 'normal']);
    });
  });

  describe('announcements', () => {
    it('has no live region unless announce is set', async () => {
      const el = await valueOf(1);
      el.items = { k: 2 };
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[role="status"]')).to.equal(null);
    });

    it('with announce, tells each change politely, with its label', async () => {
      const el = await fixture<LiveValue>(html`<live-value locale="en-US" key="k" announce label="Whip high"></live-value>`);
      el.items = { k: 1000 };
      await el.updateComplete;
      const region = el.shadowRoot!.querySelector('[part="announcer"]')!;
      expect(region.getAttribute('role')).to.equal('status');
      expect(region.textContent).to.equal('');
      el.items = { k: 1500 };
      await el.updateComplete;
      expect(region.textContent).to.equal('Whip high: 1,500');
    });
  });

  it('follows a key of a topic on a real relay', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('value');
    await publish(main, { topic, key: '4151', op: 'upsert', data: { high: 1641254, low: 1600000 } });
    const source = await fixture(html`<live-source relay=${main}><live-value topic=${topic} key="4151" field="high" locale="en-US"></live-value></live-source>`);
    const el = source.querySelector('live-value')!;
    await waitFor('the snapshot', () => shown(el) === '1,641,254');
    await publish(main, { topic, key: '4151', op: 'patch', data: { high: 1700000 } });
    await waitFor('the patch', () => shown(el) === '1,700,000');
    expect(el.getAttribute('phase')).to.equal('ready');
  });
});
