import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import { LiveBuffer } from '../../../src/elements/live-price-chart/live-buffer.js';
import type { SeriesResponse } from '../../../src/elements/live-price-chart/series-fetch.js';
import type { Envelope } from '../../../src/core/wire.js';
import { SERIES_PERIODS, type SeriesPeriod } from '../../../src/core/series-shape.js';

const MIN = 60_000;
/**
 * The current minute, taken again before each test of the element with 15 s of it left: a point
 * is the live tip only until its minute's bucket closes, so a test that ran into the next minute
 * would see none.
 */
let now = Date.now();
let minuteStart = Math.floor(now / MIN) * MIN;

/** History: 60 points a minute apart ending two minutes ago, complete up to event `${end}-0`. */
function history(period: SeriesPeriod = '1h'): SeriesResponse {
  const t = Array.from({ length: 60 }, (_, i) => minuteStart - (61 - i) * MIN);
  return {
    topic: 'prices',
    key: '4151',
    period,
    stepMs: SERIES_PERIODS[period].stepMs,
    lastEventId: `${t[59]}-0`,
    sampled: false,
    t,
    series: { high: t.map((_, i) => 100 + i), low: t.map((_, i) => 90 + i) },
  };
}

let seq = 0;
function tick(tMs: number, high: number, low: number, id = `${tMs}-${++seq}`): Envelope {
  return { id, topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Whip', high, low, ts: tMs / 1000 }, time: new Date(tMs).toISOString() };
}

async function chart(period: SeriesPeriod = '1h'): Promise<LivePriceChart> {
  const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period=${period} locale="en-US" style="width:600px"></live-price-chart>`);
  el.history = history(period);
  await el.updateComplete;
  await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 5000 });
  return el;
}

const lastOf = (el: LivePriceChart) => {
  const d = el.chartData;
  const n = d.t.length - 1;
  return { t: d.t[n], high: d.series.high[n], low: d.series.low[n] };
};

describe('<live-price-chart>', () => {
  beforeEach(async () => {
    await waitUntil(() => Date.now() % MIN < MIN - 15_000, 'a minute with 15 s left', { timeout: 20_000 });
    now = Date.now();
    minuteStart = Math.floor(now / MIN) * MIN;
  });

  it('draws the history with uPlot, loaded on demand, and a formatted legend', async () => {
    const el = await chart();
    expect(el.getAttribute('phase')).to.equal('ready');
    expect(el.pointCount).to.equal(60);
    const legend = el.shadowRoot!.querySelector('[part="legend"]')!;
    expect(legend.textContent).to.contain('high');
    expect(legend.textContent).to.contain('159');
    expect(el.liveTip).to.equal(null);
    const plot = el.shadowRoot!.querySelector('[part="plot"]')!;
    expect(plot.getAttribute('role')).to.equal('img');
    expect(plot.getAttribute('aria-label')).to.contain('latest high 159, low 149');
  });

  it('never cuts a legend value: on a narrow chart each is shown whole or not at all, and a new value moves nothing', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period="1h" locale="en-US" style="width:260px"></live-price-chart>`);
    const h = history();
    // Seven-digit prices with decimals, as the demo's items have.
    h.series = { high: h.t.map((_, i) => 1_650_000.5 + i), low: h.t.map((_, i) => 1_640_000.25 + i) };
    el.history = h;
    await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 5000 });
    const legend = el.shadowRoot!.querySelector('[part="legend"]')!;
    const values = () => [...legend.querySelectorAll<HTMLElement>('dd.value')];
    const seen = () => {
      const box = legend.getBoundingClientRect();
      return values().filter((dd) => {
        const r = dd.getBoundingClientRect();
        const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
        const outside = r.top >= box.bottom - 0.5 || r.left >= box.right - 0.5;
        expect(inside || outside, `"${dd.textContent}" is whole or out of sight (${r.left}–${r.right} × ${r.top}–${r.bottom} in ${box.left}–${box.right} × ${box.top}–${box.bottom})`).to.equal(true);
        expect(dd.scrollWidth, `"${dd.textContent}" fits its own box`).to.be.at.most(dd.clientWidth);
        return inside;
      });
    };
    expect(seen().map((dd) => dd.textContent)).to.include('1,650,059.5');
    const at = () => values().map((dd) => dd.getBoundingClientRect()).map((r) => [r.left, r.width]);
    const before = at();
    // Shorter and longer values of the same magnitude: the reserved widths hold them all.
    for (const [high, low] of [[1_650_100, 1_640_100], [1_650_100.125, 1_640_100.375]]) {
      el.ingest([tick(Date.now(), high, low)]);
      await waitUntil(() => values()[0].textContent === high.toLocaleString('en-US', { maximumFractionDigits: 3 }), 'the new value', { timeout: 3000 });
      seen();
      expect(at(), `after ${high}`).to.deep.equal(before);
    }
    // A period whose history reaches a magnitude more (the same latest quote): nothing moves either.
    el.period = '24h';
    await el.updateComplete;
    const h24 = history('24h');
    h24.series = { high: h24.t.map((_, i) => (i === 10 ? 10_250_000.5 : 1_650_000.5 + i)), low: h24.t.map((_, i) => 1_640_000.25 + i) };
    el.history = h24;
    await waitUntil(() => el.getAttribute('phase') === 'ready' && el.pointCount > 0, 'the 24h history', { timeout: 3000 });
    await el.updateComplete;
    seen();
    expect(at(), 'after the period switch').to.deep.equal(before);
    // The live tip's label and time: whole, or not shown at all.
    el.ingest([tick(Date.now(), 1_650_200, 1_640_200)]);
    await waitUntil(() => el.liveTip !== null, 'the live tip', { timeout: 3000 });
    const box = legend.getBoundingClientRect();
    for (const part of legend.querySelectorAll<HTMLElement>('.tip-entry > *')) {
      const r = part.getBoundingClientRect();
      const whole = r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 && part.scrollWidth <= part.clientWidth;
      const hidden = getComputedStyle(part).visibility === 'hidden' || r.top >= box.bottom - 0.5 || r.right <= r.left || r.right > box.right;
      expect(whole || hidden, `"${part.textContent}" whole or hidden`).to.equal(true);
    }
  });

  it('shows the live tip\'s time and LIVE in the legend of a wide chart', async () => {
    const el = await chart();
    el.ingest([tick(Date.now(), 170, 160)]);
    const legend = el.shadowRoot!.querySelector('[part="legend"]')!;
    const time = legend.querySelector<HTMLElement>('.tip-entry dd')!;
    await waitUntil(() => time.textContent !== '', 'the live tip in the legend', { timeout: 3000 });
    const box = legend.getBoundingClientRect();
    expect(time.textContent).to.match(/\d:\d\d:\d\d/);
    for (const part of [legend.querySelector<HTMLElement>('[part="live-tip"]')!, time, legend.querySelector<HTMLElement>('[part="live"]')!]) {
      const r = part.getBoundingClientRect();
      expect(r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5 && part.scrollWidth <= part.clientWidth, `"${part.textContent}" shown whole (${r.left}–${r.right} × ${r.top}–${r.bottom} in ${box.left}–${box.right} × ${box.top}–${box.bottom})`).to.equal(true);
    }
    expect(getComputedStyle(time).visibility).to.equal('visible');
  });

  it('appends live points after the history and marks the newest as the live tip', async () => {
    const el = await chart();
    const fired = oneEvent(el, 'live-change');
    el.ingest([tick(now, 200, 190)]);
    expect((await fired).detail.keys).to.deep.equal(['4151']);
    expect(el.pointCount).to.equal(61);
    // Drawn at its bucket's start, as the relay's history draws it.
    expect(lastOf(el)).to.deep.equal({ t: minuteStart, high: 200, low: 190 });
    expect(el.liveTip).to.deep.equal({ time: minuteStart, values: { high: 200, low: 190 } });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="live-tip"]')).to.exist;
  });

  it('consolidates live points per period bucket: same bucket folds in place (high → max, low → min), a new bucket appends', async () => {
    const el = await chart('1h');
    const t0 = minuteStart - MIN; // a closed bucket: its point is no live tip
    el.ingest([tick(t0 + 1000, 201, 191), tick(t0 + 2000, 203, 192), tick(t0 + 3000, 202, 193)]);
    expect(el.pointCount).to.equal(61);
    expect(lastOf(el)).to.deep.equal({ t: t0, high: 203, low: 191 });
    expect(el.liveTip, 'bucket already closed').to.equal(null);
    el.ingest([tick(minuteStart + 10, 204, 194)]);
    expect(el.pointCount).to.equal(62);
    expect(el.liveTip?.values).to.deep.equal({ high: 204, low: 194 });
  });

  it('uses 5-minute buckets for 24h', async () => {
    const el = await chart('24h');
    // The first 5-minute bucket after the history's last one.
    const base = Math.floor(history().t[59] / (5 * MIN)) * 5 * MIN + 5 * MIN;
    el.ingest([tick(base + 1000, 1, 1), tick(base + 4 * MIN, 2, 2)]);
    expect(el.pointCount).to.equal(61);
    el.ingest([tick(base + 5 * MIN, 3, 3)]);
    expect(el.pointCount).to.equal(62);
  });

  it('keeps a patch\'s missing fields from the previous point', async () => {
    const el = await chart();
    el.ingest([{ id: `${now}-1`, topic: 'prices', key: '4151', op: 'patch', data: { high: 300, ts: now / 1000 }, time: new Date(now).toISOString() }]);
    expect(lastOf(el)).to.deep.equal({ t: minuteStart, high: 300, low: 149 });
  });

  it('ignores events the history already holds and other keys', async () => {
    const el = await chart();
    const h = history();
    el.ingest([tick(now, 1, 1, h.lastEventId!), { ...tick(now, 2, 2), key: 'other' }]);
    expect(el.pointCount).to.equal(60);
  });

  it('keeps a live point that arrives before the history, merged after it once, not doubled', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151" period="1h"></live-price-chart>`);
    expect(el.getAttribute('phase')).to.equal('loading');
    const h = history();
    const covered = tick(h.t[59], 500, 500, h.lastEventId!); // the history already has it
    const early = tick(now, 210, 200);
    el.ingest([covered, early]);
    el.history = h;
    await el.updateComplete;
    expect(el.pointCount).to.equal(61);
    expect(lastOf(el)).to.deep.equal({ t: minuteStart, high: 210, low: 200 });
    expect(el.chartData.series.high.filter((v) => v === 500)).to.deep.equal([]);
  });

  it('redraws at most once per frame however many points arrive', async () => {
    const el = await chart();
    let events = 0;
    el.addEventListener('live-change', () => events++);
    for (let i = 0; i < 50; i++) el.ingest([tick(now + i, 200 + i, 190)]);
    // Live points are drawn at the page's next render slot, all of them in one draw.
    await waitUntil(() => events > 0, 'the live points drawn', { timeout: 1000 });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    expect(events).to.equal(1);
    expect(lastOf(el).high).to.equal(249);
  });

  it('a live point in the history\'s last bucket extends that point rather than adding one', async () => {
    const el = await chart();
    const h = history();
    // The history's last bucket is the current minute (the relay answered while it was filling).
    const open = { ...h, t: h.t.map((t) => t + 2 * MIN), lastEventId: `${minuteStart}-0` };
    el.history = open;
    await el.updateComplete;
    el.ingest([tick(minuteStart + 10, 500, 100, `${minuteStart + 10}-0`)]);
    expect(el.pointCount).to.equal(60);
    expect(lastOf(el)).to.deep.equal({ t: minuteStart, high: 500, low: 100 });
    expect(el.liveTip).to.deep.equal({ time: minuteStart, values: { high: 500, low: 100 } });
    el.ingest([tick(minuteStart + 20, 400, 300, `${minuteStart + 20}-0`)]);
    expect(lastOf(el), 'still the maximum high and the minimum low').to.deep.equal({ t: minuteStart, high: 500, low: 100 });
  });

  it('keeps the live points over a period switch, re-bucketed, after the new history', async () => {
    const FIVE = 5 * MIN;
    const F = Math.floor(minuteStart / FIVE) * FIVE;
    const el = await chart('1h');
    // A 1h history ending two minutes before the current 5-minute bucket F.
    el.history = { ...history(), t: history().t.map((t) => t - minuteStart + F), lastEventId: `${F - 2 * MIN}-0` };
    await el.updateComplete;
    const covered = tick(F - MIN + 5000, 900, 10);
    el.ingest([covered, tick(F + 1000, 250, 60), tick(F + 2000, 260, 70)]);
    expect(el.pointCount).to.equal(62);
    el.period = '24h';
    await el.updateComplete;
    expect(el.getAttribute('phase')).to.equal('loading');
    expect(el.pointCount, 'nothing drawn while the history loads').to.equal(0);
    expect(el.liveTip).to.equal(null);
    // The 24h history's last bucket (F - 5 min) holds the first live point already; the others are newer.
    const t = Array.from({ length: 60 }, (_, i) => F - (60 - i) * FIVE);
    const high = t.map((_, i) => (i === 59 ? 900 : 100 + i));
    el.history = { ...history('24h'), t, series: { high, low: t.map(() => 10) }, lastEventId: covered.id };
    await el.updateComplete;
    expect(el.pointCount, 'the history and one 5-minute bucket').to.equal(61);
    expect(lastOf(el)).to.deep.equal({ t: F, high: 260, low: 60 });
    expect(el.chartData.series.high.filter((v) => v === 900), 'the point the history holds is drawn once').to.have.length(1);
  });

  it('clears history and live buffer on a key switch', async () => {
    const el = await chart();
    el.ingest([tick(now, 200, 190)]);
    el.key = '536';
    await el.updateComplete;
    expect(el.history).to.equal(null);
    expect(el.pointCount).to.equal(0);
  });

  it('rejects an unknown period with a message', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart period="2w"></live-price-chart>`);
    expect(el.getAttribute('phase')).to.equal('error');
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('period="2w" is not one of');
  });

  it('has an empty state with a slot, parts and a labelled region', async () => {
    const el = await fixture<LivePriceChart>(html`<live-price-chart key="4151"><span slot="empty">no trades</span></live-price-chart>`);
    el.history = { ...history(), t: [], series: { high: [], low: [] } };
    await el.updateComplete;
    expect(el.hasAttribute('empty')).to.equal(true);
    expect(el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="empty"]')!.assignedElements()[0].textContent).to.equal('no trades');
    const c = await chart();
    for (const part of ['base', 'legend', 'plot', 'announcer']) expect(c.shadowRoot!.querySelector(`[part~="${part}"]`), part).to.exist;
    expect(c.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('Price chart of 4151, 1h');
  });

  it('follows its container size', async () => {
    const el = await chart();
    const canvas = () => el.shadowRoot!.querySelector('canvas')!;
    const before = canvas().getBoundingClientRect().width;
    el.style.width = '400px';
    await waitUntil(() => Math.abs(canvas().getBoundingClientRect().width - before) > 100, 'canvas never resized', { timeout: 3000 });
  });

  it('resolves colour expressions such as light-dark() before handing them to the canvas', async () => {
    const el = await fixture<LivePriceChart>(
      html`<live-price-chart key="4151" period="1h" locale="en-US" style="width:600px; color-scheme: dark; --live-price-chart-grid: light-dark(rgb(255, 0, 255), rgb(0, 255, 0))"></live-price-chart>`,
    );
    el.history = history();
    await el.updateComplete;
    await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 5000 });
    const canvas = el.shadowRoot!.querySelector<HTMLCanvasElement>('.plot canvas')!;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    let light = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === 0 && data[i + 1] === 255 && data[i + 2] === 0) dark++;
      if (data[i] === 255 && data[i + 1] === 0 && data[i + 2] === 255) light++;
    }
    expect(dark, 'grid lines in the dark colour').to.be.greaterThan(100);
    expect(light, 'no grid line in the light colour').to.equal(0);
  });

  it('draws from applyEvents when driven without a relay', async () => {
    const el = await chart();
    el.applyEvents([{ topic: 'prices', key: '4151', op: 'upsert', data: { high: 7, low: 6 } }]);
    expect(lastOf(el).high).to.equal(7);
    expect(el.items.get('4151')).to.deep.equal({ high: 7, low: 6 });
  });
});

describe('LiveBuffer', () => {
  it('folds a bucket by each field\'s rule: high/…High/…_high → max, low/… → min, others → the newest point', () => {
    const b = new LiveBuffer(MIN, ['high', 'dayLow', 'price', 'ask_high']);
    const t0 = 10 * MIN;
    expect(b.push(t0 + 5000, [10, 5, 7, 1], '1-0')).to.equal('appended');
    expect(b.push(t0 + 30_000, [12, 6, 8, 0], '2-0')).to.equal('updated');
    expect(b.push(t0 + 20_000, [11, 4, 99, 3], '3-0'), 'an older point in the bucket: max/min fold, the newest price stays').to.equal('updated');
    expect(b.push(t0 + 30_000, [12, 6, 8, 0], '4-0'), 'nothing new').to.equal('unchanged');
    expect([b.t, b.values]).to.deep.equal([[t0], [[12], [4], [8], [3]]]);
    expect(b.push(t0 + MIN, [1, 1, 1, 1], '5-0')).to.equal('appended');
    expect(b.t).to.deep.equal([t0, t0 + MIN]);
    expect(b.push(t0 + 59_000, [100, 0, 0, 100], '6-0'), 'an older bucket').to.equal('dropped');
  });

  it('re-buckets for another period by the same rule, and absorbs only buckets newer than a log position', () => {
    const b = new LiveBuffer(MIN, ['high', 'low', 'price']);
    b.push(0, [1, 5, 1], '1-0');
    b.push(MIN, [3, 2, 2], '2-0');
    b.push(5 * MIN, [2, 9, 3], '3-0');
    const five = b.rebucket(5 * MIN);
    expect([five.t, five.values, five.ids]).to.deep.equal([[0, 5 * MIN], [[3, 2], [2, 9], [2, 3]], ['2-0', '3-0']]);
    const seeded = new LiveBuffer(5 * MIN, ['price', 'high']);
    seeded.seed(0, [0, 0]);
    expect(seeded.live, 'a seeded bucket alone is history, not live').to.equal(false);
    seeded.absorb(five, '2-0');
    expect([seeded.t, seeded.values]).to.deep.equal([[0, 5 * MIN], [[0, 3], [0, 2]]]);
    expect(seeded.live).to.equal(true);
  });
});
