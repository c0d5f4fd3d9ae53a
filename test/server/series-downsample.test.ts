import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { downsampleMinMax, type SeriesColumns } from '../../server/series/downsample.js';
import { toColumns } from '../../server/series/series-query.js';
import type { SeriesPoint } from '../../server/series/series-store.js';

function walk(n: number, seed = 1): SeriesColumns {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const t: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  let mid = 1000;
  for (let i = 0; i < n; i++) {
    mid += (rand() - 0.5) * 10;
    t.push(1_700_000_000_000 + i * 1000);
    high.push(mid + 2);
    low.push(mid - 2);
  }
  return { t, series: { high, low } };
}

describe('series downsampling (min/max per bucket)', () => {
  test('fits the budget, keeps times ascending and keeps the newest point as it is', () => {
    const cols = walk(10_000);
    const out = downsampleMinMax(cols, 500);
    assert.ok(out.t.length <= 500, `got ${out.t.length} rows`);
    assert.ok(out.t.length >= 400, `the budget is used, got ${out.t.length} rows`);
    for (let i = 1; i < out.t.length; i++) assert.ok(out.t[i] > out.t[i - 1], `t ascending at ${i}`);
    assert.equal(out.t.at(-1), cols.t.at(-1));
    assert.equal(out.series.high.at(-1), cols.series.high.at(-1));
    assert.equal(out.series.high.length, out.t.length);
    assert.equal(out.series.low.length, out.t.length);
  });

  test('a one-point spike and dip survive, and the overall extremes are kept', () => {
    const cols = walk(20_000, 7);
    cols.series.high[12_345] = 5000;
    cols.series.low[4321] = -3000;
    const out = downsampleMinMax(cols, 300);
    assert.equal(Math.max(...(out.series.high as number[])), 5000);
    assert.equal(Math.min(...(out.series.low as number[])), -3000);
    assert.equal(Math.min(...(out.series.high as number[])), Math.min(...cols.series.high.map(Number)));
    assert.equal(Math.max(...(out.series.low as number[])), Math.max(...cols.series.low.map(Number)));
  });

  test('returns the input when it already fits', () => {
    const cols = walk(100);
    assert.equal(downsampleMinMax(cols, 500), cols);
  });

  test('property: any series fits the budget and keeps low <= high row by row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 3, max: 400 }),
        (rows, budget) => {
          let time = 0;
          const cols: SeriesColumns = { t: [], series: { high: [], low: [] } };
          for (const [dt, mid, spread] of rows) {
            time += dt;
            cols.t.push(time);
            cols.series.high.push(mid + spread);
            cols.series.low.push(mid - spread);
          }
          const out = downsampleMinMax(cols, budget);
          assert.ok(out.t.length <= budget, `${out.t.length} rows for a budget of ${budget}`);
          for (let i = 1; i < out.t.length; i++) assert.ok(out.t[i] >= out.t[i - 1]);
          for (let i = 0; i < out.t.length; i++) assert.ok((out.series.low[i] as number) <= (out.series.high[i] as number));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('series columns', () => {
  const p = (id: string, t: number, values: Record<string, number>, partial = false): SeriesPoint => ({ topic: 'prices', key: 'a', id, t, values, ...(partial ? { partial } : {}) });

  test('a patch keeps the fields it does not carry; an upsert does not', () => {
    const cols = toColumns([p('1', 1, { high: 10, low: 8 }), p('2', 2, { low: 9 }, true), p('3', 3, { high: 12 })], null);
    assert.deepEqual(cols, { t: [1, 2, 3], series: { high: [10, 10, 12], low: [8, 9, null] } });
  });

  test('fields narrows the columns; an unknown field is all null', () => {
    const cols = toColumns([p('1', 1, { high: 10, low: 8 })], ['low', 'volume']);
    assert.deepEqual(cols.series, { low: [8], volume: [null] });
  });
});
