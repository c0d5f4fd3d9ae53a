import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type uPlot from 'uplot';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import type { SeriesResponse } from '../../../src/elements/live-price-chart/series-fetch.js';
import type { Envelope } from '../../../src/core/wire.js';
import { commandsWork, itInChromium } from '../helpers.js';

const MIN = 60_000;

/** 1h history: 60 points a minute apart, ending two minutes before the current minute. */
function history(): SeriesResponse {
  const start = Math.floor(Date.now() / MIN) * MIN;
  const t = Array.from({ length: 60 }, (_, i) => start - (61 - i) * MIN);
  return { topic: 'prices', key: '4151', period: '1h', stepMs: MIN, lastEventId: `${t[59]}-0`, sampled: false, t, series: { high: t.map((_, i) => 100 + i), low: t.map((_, i) => 90 + i) } };
}

let seq = 0;
function tick(tMs: number, high: number, low: number): Envelope {
  return { id: `${tMs}-${++seq}`, topic: 'prices', key: '4151', op: 'upsert', data: { high, low, ts: tMs / 1000 }, time: new Date(tMs).toISOString() };
}

async function chart(): Promise<LivePriceChart> {
  const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period="1h" locale="en-US" style="width:600px"></live-price-chart>`);
  el.history = history();
  await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 5000 });
  return el;
}

const all = (el: LivePriceChart, part: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part="${part}"]`)];
const shown = (el: LivePriceChart, part: string) => all(el, part).filter((m) => !m.hidden);
/** The plot's uPlot instance (private), to compare the marks with its own scale. */
const plotOf = (el: LivePriceChart) => (el as unknown as { view: { plot: uPlot } }).view.plot;
/** The tip's pulse animations (CSS animations on the marker's ::before). */
const pulses = (el: LivePriceChart) => el.shadowRoot!.getAnimations().filter((a) => (a as CSSAnimation).animationName === 'tip-pulse');

/** A live point in the open minute (the 1h bucket), with time to spare before it closes. */
async function liveChart(high = 200, low = 190): Promise<LivePriceChart> {
  await waitUntil(() => Date.now() % MIN < 50_000, 'a minute with 10 s left', { timeout: 15_000 });
  const el = await chart();
  el.ingest([tick(Date.now(), high, low)]);
  await waitUntil(() => shown(el, 'tip').length === 2, 'the tip markers', { timeout: 3000 });
  return el;
}

describe('<live-price-chart> marks over the plot', () => {
  afterEach(async () => {
    if (commandsWork) await emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('places a live-tip marker per field on the newest point, over the canvas, and none without a live tip', async () => {
    const el = await chart();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    expect(all(el, 'tip').length).to.equal(2);
    expect(shown(el, 'tip'), 'no live tip yet').to.deep.equal([]);
    el.ingest([tick(Date.now(), 200, 190)]);
    await waitUntil(() => shown(el, 'tip').length === 2, 'the tip markers', { timeout: 3000 });
    const u = plotOf(el);
    const over = u.over.getBoundingClientRect();
    const tip = el.liveTip!;
    const [high, low] = all(el, 'tip').map((m) => m.getBoundingClientRect());
    const center = (r: DOMRect) => ({ x: r.left + r.width / 2 - over.left, y: r.top + r.height / 2 - over.top });
    expect(center(high).x).to.be.closeTo(u.valToPos(tip.time, 'x'), 1);
    expect(center(high).y).to.be.closeTo(u.valToPos(tip.values.high!, 'y'), 1);
    expect(center(low).y).to.be.closeTo(u.valToPos(tip.values.low!, 'y'), 1);
    expect(all(el, 'tip')[0].parentElement!.closest('.u-over'), 'laid over the plot area').to.equal(u.over);
  });

  it('pulses by opacity and transform only (compositor), never by redrawing the canvas', async () => {
    const el = await liveChart();
    const anims = pulses(el);
    expect(anims.length).to.equal(2);
    for (const a of anims) {
      const props = new Set((a.effect as KeyframeEffect).getKeyframes().flatMap((k) => Object.keys(k)));
      for (const p of ['offset', 'computedOffset', 'easing', 'composite']) props.delete(p);
      expect([...props].sort()).to.deep.equal(['opacity', 'transform']);
      expect(a.playState).to.equal('running');
      // A few beats, not forever: a running animation keeps the host page's frames ticking.
      expect(a.effect!.getTiming().iterations).to.equal(3);
    }
    // The canvas is not redrawn while the tip pulses: no draw between two frames without data.
    let draws = 0;
    plotOf(el).hooks.draw!.push(() => draws++);
    await new Promise((r) => setTimeout(r, 300));
    expect(draws).to.equal(0);
  });

  it('pauses the pulse while the chart is unseen (its tab hidden) and resumes it when seen', async () => {
    const el = await liveChart();
    try {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
      await waitUntil(() => pulses(el).every((a) => a.playState === 'paused'), 'the pulses to pause', { timeout: 2000 });
    } finally {
      delete (document as { hidden?: boolean }).hidden; // back to the prototype's getter
      document.dispatchEvent(new Event('visibilitychange'));
    }
    await waitUntil(() => pulses(el).every((a) => a.playState === 'running'), 'the pulses to run again', { timeout: 2000 });
  });

  itInChromium('does not pulse under prefers-reduced-motion (the marker stays, static)', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const el = await liveChart();
    expect(shown(el, 'tip').length).to.equal(2);
    expect(pulses(el)).to.deep.equal([]);
  });

  it('draws a dashed last-price line per field at the latest quote, labelled with its value, inside the box', async () => {
    const el = await liveChart(200, 190);
    // Same bucket: its high stays the max (200), the last price is the latest quote (198).
    el.ingest([tick(Date.now(), 198, 192)]);
    await waitUntil(() => shown(el, 'last-price-label')[0]?.textContent === '198', 'the latest high', { timeout: 3000 });
    expect(el.chartData.series.high.at(-1)).to.equal(200);
    expect(shown(el, 'last-price-label').map((l) => l.textContent)).to.deep.equal(['198', '192']);
    const u = plotOf(el);
    const over = u.over.getBoundingClientRect();
    const line = shown(el, 'last-price')[0];
    expect(getComputedStyle(line).borderTopStyle).to.equal('dashed');
    expect(line.getBoundingClientRect().top - over.top).to.be.closeTo(u.valToPos(198, 'y'), 1);
    // The labels sit in a gutter right of the plot: none hides the live tip at its right edge.
    const dot = shown(el, 'tip')[0].getBoundingClientRect();
    for (const l of shown(el, 'last-price-label')) expect(l.getBoundingClientRect().left).to.be.at.least(dot.right);
    const box = el.getBoundingClientRect();
    for (const m of [...shown(el, 'last-price'), ...shown(el, 'last-price-label')]) {
      const r = m.getBoundingClientRect();
      expect(r.left >= box.left - 0.5 && r.right <= box.right + 0.5, `${m.className} inside the chart (${r.left}–${r.right} in ${box.left}–${box.right})`).to.equal(true);
    }
  });

  it('moves last-price labels of close values apart, so that none covers another, and keeps them in the plot', async () => {
    // A high and a low a tick apart in a range of 90: their lines nearly meet, their labels must not.
    const el = await liveChart(200, 199);
    await waitUntil(() => shown(el, 'last-price-label').map((l) => l.textContent).join() === '200,199', 'the labels', { timeout: 3000 });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const [a, b] = shown(el, 'last-price-label').map((l) => l.getBoundingClientRect());
    expect(a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5, `labels apart (${a.top}–${a.bottom} and ${b.top}–${b.bottom})`).to.equal(true);
    // The new top of the range (200) is at the plot's top edge: its label stays inside the plot.
    const over = plotOf(el).over.getBoundingClientRect();
    for (const r of [a, b]) expect(r.top >= over.top - 0.5 && r.bottom <= over.bottom + 0.5, `label ${r.top}–${r.bottom} in the plot ${over.top}–${over.bottom}`).to.equal(true);
  });

  it('keeps the last price when a point older than the newest bucket is dropped', async () => {
    const el = await liveChart(200, 190);
    // A late point (a newer event, stamped minutes ago): older than the newest bucket.
    el.ingest([{ ...tick(Date.now() - 5 * MIN, 500, 10), id: `${Date.now()}-${++seq}` }]);
    // A patch then carries one field; the other keeps the last quote that was taken.
    const now = Date.now();
    el.ingest([{ id: `${now}-${++seq}`, topic: 'prices', key: '4151', op: 'patch', data: { high: 199, ts: now / 1000 }, time: new Date(now).toISOString() }]);
    await waitUntil(() => shown(el, 'last-price-label')[0]?.textContent === '199', 'the patch', { timeout: 3000 });
    expect(shown(el, 'last-price-label').map((l) => l.textContent)).to.deep.equal(['199', '190']);
  });

  it('shows the history\'s last value as the last price before any live point', async () => {
    const el = await chart();
    await waitUntil(() => shown(el, 'last-price-label').length === 2, 'the labels', { timeout: 3000 });
    expect(shown(el, 'last-price-label').map((l) => l.textContent)).to.deep.equal(['159', '149']);
  });

  it('has no "LIVE" in its header without an open stream', async () => {
    const el = await chart();
    expect(getComputedStyle(el.shadowRoot!.querySelector('[part="live"]')!).visibility).to.equal('hidden');
  });
});
