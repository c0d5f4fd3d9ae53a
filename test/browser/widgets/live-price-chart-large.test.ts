import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import { decimate } from '../../../src/elements/live-price-chart/decimate.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import type { SeriesResponse } from '../../../src/elements/live-price-chart/series-fetch.js';

const POINTS = 50_000;
const DAY = 24 * 3600_000;
const now = Date.now();
/** Where a live point at `now` is drawn: the start of its 5-minute bucket (the 24h period's step). */
const nowBucket = Math.floor(now / 300_000) * 300_000;

/** 50,000 points over a day ending 6 minutes ago (a smooth wave), with one spike up and one dip down in the middle. */
function bigHistory(spikeAt: number, dipAt: number): SeriesResponse {
  const t0 = now - DAY - 6 * 60_000;
  const t = Array.from({ length: POINTS }, (_, i) => Math.round(t0 + (i * DAY) / POINTS));
  const wave = (i: number) => 1000 + Math.round(Math.sin(i / 500) * 100);
  const high = t.map((_, i) => (i === spikeAt ? 9_999 : wave(i) + 10));
  const low = t.map((_, i) => (i === dipAt ? 3 : wave(i)));
  return { topic: 'prices', key: '4151', period: '24h', stepMs: 5 * 60_000, lastEventId: `${t[POINTS - 1]}-0`, sampled: false, t, series: { high, low } };
}

const min = (a: Array<number | null>) => Math.min(...a.filter((v): v is number => v != null));
const max = (a: Array<number | null>) => Math.max(...a.filter((v): v is number => v != null));

describe('<live-price-chart> with a long history', () => {
  it('draws 50,000 points reduced to its pixel columns, spikes kept, live points appended', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period="24h" locale="en-US" style="width:600px"></live-price-chart>`);
    el.history = bigHistory(12_345, 37_001);
    await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 10_000 });
    expect(el.pointCount).to.equal(POINTS);
    const drawn = el.chartData;
    const columns = Math.ceil(600 * devicePixelRatio);
    expect(drawn.t.length, 'reduced to a few points per pixel column').to.be.below(8 * columns + 1);
    expect(drawn.t.length, 'still more than one per column').to.be.above(columns - 1);
    expect(max(drawn.series.high), 'the spike is drawn').to.equal(9_999);
    expect(min(drawn.series.low), 'the dip is drawn').to.equal(3);
    expect(min(drawn.series.high)).to.equal(1000 - 100 + 10);
    expect(max(drawn.series.low)).to.equal(1000 + 100);
    const ascending = drawn.t.every((v, i) => i === 0 || v > drawn.t[i - 1]);
    expect(ascending, 'x ascending').to.equal(true);
    expect(drawn.t[0]).to.equal(el.history!.t[0]);
    expect(drawn.t[drawn.t.length - 1]).to.equal(el.history!.t[POINTS - 1]);

    el.ingest([{ id: `${now}-9`, topic: 'prices', key: '4151', op: 'upsert', data: { high: 1500, low: 1400, ts: now / 1000 }, time: new Date(now).toISOString() }]);
    expect(el.pointCount).to.equal(POINTS + 1);
    const after = el.chartData;
    expect(after.t.length).to.equal(drawn.t.length + 1);
    expect(after.t[after.t.length - 1]).to.equal(nowBucket);
    expect(after.series.high[after.t.length - 1]).to.equal(1500);
    expect(el.liveTip?.values).to.deep.equal({ high: 1500, low: 1400 });
    el.ingest([{ id: `${now + 1}-0`, topic: 'prices', key: '4151', op: 'upsert', data: { high: 1600, low: 1390, ts: (now + 1) / 1000 }, time: new Date(now + 1).toISOString() }]);
    expect(el.pointCount, 'same bucket: updated in place').to.equal(POINTS + 1);
    expect(el.chartData.series.high.at(-1)).to.equal(1600);
  });

  it('reduces again for a narrower plot, keeping the spikes and the live points', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period="24h" style="width:800px"></live-price-chart>`);
    el.history = bigHistory(100, 49_900);
    await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 10_000 });
    el.ingest([{ id: `${now}-9`, topic: 'prices', key: '4151', op: 'upsert', data: { high: 1500, low: 1400, ts: now / 1000 }, time: new Date(now).toISOString() }]);
    const wide = el.chartData.t.length;
    el.style.width = '300px';
    await waitUntil(() => el.chartData.t.length < wide * 0.6, `never re-reduced for 300px (still ${el.chartData.t.length} points)`, { timeout: 5000 });
    const narrow = el.chartData;
    expect(max(narrow.series.high)).to.equal(9_999);
    expect(min(narrow.series.low)).to.equal(3);
    expect(narrow.t.at(-1)).to.equal(nowBucket);
    expect(el.pointCount).to.equal(POINTS + 1);
  });
});

describe('decimate()', () => {
  it('keeps each column\'s first, last, minimum, maximum and first gap, in x order', () => {
    const x = Array.from({ length: 40 }, (_, i) => i);
    const y = x.map((i) => (i === 13 ? 99 : i === 27 ? -5 : i === 31 ? null : 10));
    const [dx, dy] = decimate([x, y], 2);
    // Column 0 holds x 0..19: first 0, max at 13, min/last 19 (all 10 but 13). Column 1 x 20..39.
    expect(dx).to.deep.equal([0, 13, 19, 20, 27, 31, 39]);
    expect(dy).to.deep.equal([10, 99, 10, 10, -5, null, 10]);
  });

  it('returns short series as copies', () => {
    const x = [1, 2, 3];
    const out = decimate([x, [4, null, 6]], 100);
    expect(out).to.deep.equal([[1, 2, 3], [4, null, 6]]);
    expect(out[0]).to.not.equal(x);
  });
});
