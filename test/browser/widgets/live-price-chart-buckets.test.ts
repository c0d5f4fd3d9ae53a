import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import { publish, relays, waitFor } from '../helpers.js';

const MIN = 60_000;
const FIVE = 5 * MIN;

/** Every time drawn is a bucket start, and no bucket is drawn twice. */
function expectOnePointPerBucket(el: LivePriceChart, stepMs: number, when: string): void {
  const t = el.chartData.t;
  const buckets = t.map((x) => Math.floor(x / stepMs));
  expect(new Set(buckets).size, `${when}: one point per ${stepMs / MIN}-minute bucket (${t.length} points)`).to.equal(t.length);
  expect(t.every((x) => x % stepMs === 0), `${when}: each point at its bucket's start`).to.equal(true);
}

/** The highest high and lowest low published per bucket: what the chart must show there. */
class Expected {
  private readonly byBucket = new Map<number, { high: number; low: number }>();
  add(tMs: number, high: number, low: number, stepMs: number): void {
    const b = Math.floor(tMs / stepMs) * stepMs;
    const e = this.byBucket.get(b);
    this.byBucket.set(b, e ? { high: Math.max(e.high, high), low: Math.min(e.low, low) } : { high, low });
  }
  at(b: number): { high: number; low: number } | undefined {
    return this.byBucket.get(b);
  }
}

/** A chart on a real relay, fed live points every 100 ms: its history and its live points share the relay's buckets. */
describe('<live-price-chart> buckets on a real relay', () => {
  it('a 1h chart fed every 100 ms never draws two points in one minute; a period switch keeps the live points in the new buckets', async function (this: { timeout(ms: number): void }) {
    this.timeout(40_000);
    const { main } = await relays();
    const key = `b${Math.random().toString(36).slice(2, 8)}`;
    const published: Array<{ t: number; high: number; low: number }> = [];
    const point = (tMs: number, i: number) => {
      const high = 1000 + ((i * 37) % 101);
      const low = 900 - ((i * 53) % 89);
      published.push({ t: tMs, high, low });
      return { topic: 'prices', key, op: 'upsert' as const, data: { name: 'X', high, low, ts: tMs / 1000 } };
    };
    // History as the relay recorded it: a point a minute for half an hour, then one a second for
    // the last two minutes (what drew the "barcode" at the live edge).
    const start = Date.now();
    await publish(main, [
      ...Array.from({ length: 30 }, (_, i) => point(start - (32 - i) * MIN, i)),
      ...Array.from({ length: 120 }, (_, i) => point(start - (120 - i) * 1000, 100 + i)),
    ]);
    const source = await fixture(html`<live-source relay=${main}><live-price-chart topic="prices" key=${key} period="1h" fields="high,low" style="width:600px"></live-price-chart></live-source>`);
    const el = source.querySelector('live-price-chart') as LivePriceChart;
    await waitFor('the history', () => el.phase === 'ready' && el.pointCount > 0);
    expectOnePointPerBucket(el, MIN, 'the history');
    expect(el.pointCount, 'half an hour of minutes and the last two or three').to.be.within(31, 34);

    // Live points every ~100 ms for 3 s.
    for (let i = 0; i < 30; i++) {
      await publish(main, point(Date.now(), 1000 + i));
      await new Promise((r) => setTimeout(r, 100));
      expectOnePointPerBucket(el, MIN, `after live point ${i + 1}`);
    }
    const perMinute = new Expected();
    for (const p of published) perMinute.add(p.t, p.high, p.low, MIN);
    const newest = Math.floor(published.at(-1)!.t / MIN) * MIN;
    await waitFor('the last live point folded into its minute', () => {
      const d = el.chartData;
      const n = d.t.length - 1;
      const want = perMinute.at(newest)!;
      return d.t[n] === newest && d.series.high[n] === want.high && d.series.low[n] === want.low;
    });

    el.period = '24h';
    await el.updateComplete;
    await waitFor('the 24h history', () => el.phase === 'ready' && el.pointCount > 0);
    expectOnePointPerBucket(el, FIVE, 'after the period switch');
    const perFive = new Expected();
    for (const p of published) perFive.add(p.t, p.high, p.low, FIVE);
    const d = el.chartData;
    for (let i = 0; i < d.t.length; i++) {
      expect({ high: d.series.high[i], low: d.series.low[i] }, `the 5-minute bucket at ${new Date(d.t[i]).toISOString()}`).to.deep.equal(perFive.at(d.t[i]));
    }
    expect(d.t.at(-1), 'the live points are in the newest 5-minute bucket').to.equal(Math.floor(published.at(-1)!.t / FIVE) * FIVE);

    // And live points keep folding into the new buckets.
    for (let i = 0; i < 5; i++) await publish(main, point(Date.now(), 2000 + i));
    for (const p of published.slice(-5)) perFive.add(p.t, p.high, p.low, FIVE);
    const last = Math.floor(published.at(-1)!.t / FIVE) * FIVE;
    await waitFor('live points after the switch', () => {
      const c = el.chartData;
      const n = c.t.length - 1;
      return c.t[n] === last && c.series.high[n] === perFive.at(last)!.high && c.series.low[n] === perFive.at(last)!.low;
    });
    expectOnePointPerBucket(el, FIVE, 'after more live points');
  });
});
