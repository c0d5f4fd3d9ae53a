import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../server/config.js';
import { consolidationOf } from '../../src/core/series-shape.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';

/**
 * `GET /v1/series` answers one point per bucket of the period's step, stamped at the bucket's
 * start, each field consolidated by its name's rule; over real HTTP, on the memory and the Redis
 * series store.
 */

const MIN = 60_000;
const minute = (ms: number) => Math.floor(ms / MIN) * MIN;

async function series(r: InProcessRelay, path: string) {
  const res = await fetch(`${r.url}/v1/series/${path}&cache=skip`);
  assert.equal(res.status, 200, path);
  return (await res.json()) as { t: number[]; series: Record<string, Array<number | null>>; stepMs: number; sampled: boolean };
}

/** Publishes in batches (a batch is one request body) and waits until every point is recorded. */
async function publishAll(r: InProcessRelay, events: object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) assert.equal((await publish(r.url, events.slice(i, i + 1000))).status, 200);
  await r.ctx.series.recorder.idle();
}

function bucketSuite(store: 'memory' | 'redis', config: () => Partial<Config>) {
  describe(`series buckets (${store} store)`, () => {
    const relays: InProcessRelay[] = [];
    const relay = async () => {
      const r = await startRelay({ config: config() });
      relays.push(r);
      assert.equal(r.ctx.series.store.kind, store);
      return r;
    };
    after(async () => {
      for (const r of relays) await r.close();
    });

    test('a 1h series of one-second points has at most one point per minute, each at its minute start', async () => {
      const r = await relay();
      const end = Math.floor(Date.now() / 1000);
      // The last hour, a point every second (a 1 Hz feed), plus one older than the hour.
      const events = Array.from({ length: 3600 }, (_, i) => ({ topic: 'prices', key: 'dense', op: 'upsert', data: { high: 1000 + (i % 50), low: 900 - (i % 30), ts: end - 3599 + i } }));
      events.unshift({ topic: 'prices', key: 'dense', op: 'upsert', data: { high: 1, low: 1, ts: end - 7200 } });
      await publishAll(r, events);
      const s = await series(r, 'prices/dense?period=1h');
      assert.equal(s.stepMs, MIN);
      assert.ok(s.t.length >= 60 && s.t.length <= 61, `${s.t.length} points`);
      assert.ok(s.t.every((t) => t % MIN === 0), 'every point at a minute start');
      assert.equal(new Set(s.t).size, s.t.length, 'one point per minute');
      assert.ok(s.t.every((t, i) => i === 0 || t > s.t[i - 1]), 'ascending');
      assert.equal(s.t.at(-1), minute(end * 1000), 'the newest bucket is the current minute');
      assert.ok(!s.series.high.includes(1), 'the point older than the hour is not in it');
    });

    test('each bucket folds high/…High/…_high to the maximum, low/…Low/…_low to the minimum, everything else to the newest value', async () => {
      const r = await relay();
      const base = minute(Date.now()) - 10 * MIN;
      // Three closed minutes, four points each (out of order inside a minute on purpose: the newest by time wins).
      const rows: Array<[number, Record<string, number>]> = [];
      for (let b = 0; b < 3; b++) {
        for (const [s, k] of [[5, 2], [50, 4], [20, 1], [35, 3]]) {
          const v = 10 * b + k;
          rows.push([base + b * MIN + s * 1000, { high: 100 + v, dayHigh: 200 + v, ask_high: 300 + v, low: 50 - v, dayLow: 40 - v, bid_low: 30 - v, price: 70 + v, volume: v }]);
        }
      }
      await publishAll(r, rows.map(([t, data]) => ({ topic: 'prices', key: 'rules', op: 'upsert', data: { ...data, ts: t / 1000 } })));
      const s = await series(r, 'prices/rules?period=1h');
      assert.deepEqual(s.t, [base, base + MIN, base + 2 * MIN]);
      for (let b = 0; b < 3; b++) {
        const v = (k: number) => 10 * b + k;
        // k=4 is the largest, k=1 the smallest, k=4 (at :50) the newest.
        assert.deepEqual(
          Object.fromEntries(Object.entries(s.series).map(([f, col]) => [f, col[b]])),
          { high: 100 + v(4), dayHigh: 200 + v(4), ask_high: 300 + v(4), low: 50 - v(4), dayLow: 40 - v(4), bid_low: 30 - v(4), price: 70 + v(4), volume: v(4) },
          `bucket ${b}`,
        );
      }
      assert.deepEqual(['high', 'dayHigh', 'ask_high', 'low', 'dayLow', 'bid_low', 'price', 'thigh', 'highway', 'Low', 'below'].map(consolidationOf), ['max', 'max', 'max', 'min', 'min', 'min', 'last', 'last', 'last', 'min', 'last']);
    });

    test('the newest bucket is partly filled: it holds what has come so far, and the next point in it folds in place', async () => {
      const r = await relay();
      const start = minute(Date.now());
      // Seconds into the current minute (a second or two ahead of the clock at worst: still this bucket).
      const at = (s: number) => (start + s * 1000) / 1000;
      await publishAll(r, [
        { topic: 'prices', key: 'partial', op: 'upsert', data: { high: 10, low: 5, price: 7, ts: (start - MIN + 1000) / 1000 } },
        { topic: 'prices', key: 'partial', op: 'upsert', data: { high: 12, low: 6, price: 8, ts: at(1) } },
      ]);
      const first = await series(r, 'prices/partial?period=1h');
      assert.deepEqual(first.t, [start - MIN, start]);
      assert.deepEqual(first.series, { high: [10, 12], low: [5, 6], price: [7, 8] });
      // Later in the same minute: a higher high, a lower low, a new price; still one point for the minute.
      await publishAll(r, [{ topic: 'prices', key: 'partial', op: 'upsert', data: { high: 15, low: 4, price: 9, ts: at(2) } }]);
      const second = await series(r, 'prices/partial?period=1h');
      assert.deepEqual(second.t, [start - MIN, start]);
      assert.deepEqual(second.series, { high: [10, 15], low: [5, 4], price: [7, 9] });
    });

    test('sample and points reduce the buckets, not the raw points', async () => {
      const r = await relay();
      const end = Math.floor(Date.now() / 1000);
      const events = Array.from({ length: 3600 }, (_, i) => ({ topic: 'prices', key: 'sampled', op: 'upsert', data: { high: i === 1800 ? 99_999 : 1000 + (i % 13), low: i === 900 ? 1 : 900, ts: end - 3599 + i } }));
      await publishAll(r, events);
      const buckets = await series(r, 'prices/sampled?period=1h');
      assert.equal(buckets.sampled, false);
      const few = await series(r, 'prices/sampled?period=1h&sample=true&points=11');
      assert.equal(few.sampled, true);
      assert.ok(few.t.length <= 11, `${few.t.length} points`);
      assert.ok(few.t.every((t) => buckets.t.includes(t)), 'every sampled point is a bucket');
      assert.equal(Math.max(...(few.series.high as number[])), 99_999, 'the spike survives both steps');
      assert.equal(Math.min(...(few.series.low as number[])), 1, 'the dip survives both steps');
      assert.equal(few.t.at(-1), buckets.t.at(-1), 'the newest bucket is kept');
      const fits = await series(r, 'prices/sampled?period=1h&sample=true&points=100');
      assert.equal(fits.sampled, false, '61 buckets fit 100 points');
      assert.deepEqual(fits.t, buckets.t);
    });
  });
}

bucketSuite('memory', () => ({}));

let redis: PrivateRedis | null = null;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});
bucketSuite('redis', () => ({ REDIS_URL: redis!.url }));
