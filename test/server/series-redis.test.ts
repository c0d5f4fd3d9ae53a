import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisBus } from '../../server/bus/redis-bus.js';
import type { Config } from '../../server/config.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';

/** Series in Redis: the answer cache (and `cache=skip`), relays sharing one history, retention, outage. */

const nowS = () => Math.floor(Date.now() / 1000);

async function series(r: InProcessRelay, path: string) {
  const res = await fetch(`${r.url}/v1/series/${path}`);
  return { status: res.status, cache: res.headers.get('x-cache'), body: (await res.json()) as any };
}

describe('series on Redis', () => {
  let redis: PrivateRedis;
  let client: Redis;
  const relays: InProcessRelay[] = [];
  let prefixN = 0;
  const relay = async (config: Partial<Config> = {}, busPrefix?: string) => {
    const bus = busPrefix ? await RedisBus.connect({ ...TEST_BUS_OPTIONS, url: redis.url, prefix: busPrefix }) : undefined;
    const r = await startRelay({ config: { REDIS_URL: redis.url, ...config }, bus });
    relays.push(r);
    return r;
  };
  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    for (const r of relays) await r.close();
    client.disconnect();
    await redis.stop();
  });

  test('a cached answer is served until its TTL ends; cache=skip reads fresh and refreshes the cache', async () => {
    const r = await relay();
    const t = nowS();
    await publish(r.url, { topic: 'prices', key: 'cached', op: 'upsert', data: { high: 1, low: 0, ts: t - 600 } });
    await r.ctx.series.recorder.idle();
    const first = await series(r, 'prices/cached?period=24h');
    assert.equal(first.cache, 'miss');
    assert.deepEqual(first.body.series.high, [1]);

    await publish(r.url, { topic: 'prices', key: 'cached', op: 'upsert', data: { high: 2, low: 1, ts: t - 300 } });
    await r.ctx.series.recorder.idle();
    assert.equal(await r.ctx.series.store.count('prices', 'cached'), 2, 'the new point is stored');
    const stale = await series(r, 'prices/cached?period=24h');
    assert.equal(stale.cache, 'hit');
    assert.deepEqual(stale.body.series.high, [1], 'the cached answer is stale on purpose');
    assert.equal(stale.body.lastEventId, first.body.lastEventId, 'with the position it was made at');

    const fresh = await series(r, 'prices/cached?period=24h&cache=skip');
    assert.equal(fresh.cache, 'skip');
    assert.deepEqual(fresh.body.series.high, [1, 2]);
    const warmed = await series(r, 'prices/cached?period=24h');
    assert.equal(warmed.cache, 'hit');
    assert.deepEqual(warmed.body.series.high, [1, 2], 'skip wrote the fresh answer to the cache');

    // Other parameters are other cache entries.
    const sampled = await series(r, 'prices/cached?period=24h&sample=true&points=10');
    assert.equal(sampled.cache, 'miss');
    const ttl = await client.pttl('live:series-cache:prices:1h:raw:*:cached');
    assert.equal(ttl, -2, 'no entry for a period nobody asked for');
    const ttl24 = await client.pttl('live:series-cache:prices:24h:raw:*:cached');
    assert.ok(ttl24 > 0 && ttl24 <= 30_000, `24h answers live 30 s at most, got ${ttl24}`);
  });

  test('relays on one Redis share the history and record each event once', async () => {
    const prefix = `shared${++prefixN}:`;
    const a = await relay({}, prefix);
    const b = await relay({}, prefix);
    const t = nowS();
    const pub = await publish(a.url, [
      { topic: 'prices', key: 'shared', op: 'upsert', data: { high: 10, low: 9, ts: t - 180 } },
      { topic: 'prices', key: 'shared', op: 'upsert', data: { high: 11, low: 9, ts: t - 120 } },
      { topic: 'prices', key: 'shared', op: 'patch', data: { low: 10, ts: t - 60 } },
    ]);
    const last = pub.body.ids[2];
    // Both relays' recorders write every event they tail.
    await waitUntil(() => a.ctx.series.recorder.recordedThrough === last && b.ctx.series.recorder.recordedThrough === last, 'both recorders to write the batch');
    assert.equal(await client.zcard('live:series:prices:shared'), 3, 'three events, three points, whoever recorded them');
    const fromB = await series(b, 'prices/shared?period=1h&cache=skip');
    assert.deepEqual(fromB.body.series, { high: [10, 11, 11], low: [9, 9, 10] });
    assert.equal(fromB.body.lastEventId, last);
  });

  test('retention by count and by age holds in Redis too', async () => {
    const r = await relay({ SERIES_MAX_POINTS: 10, SERIES_RETENTION_MS: 3_600_000 });
    const t = nowS();
    const events = Array.from({ length: 15 }, (_, i) => ({ topic: 'prices', key: 'trim', op: 'upsert', data: { high: i, ts: t - 15 + i } }));
    events.unshift({ topic: 'prices', key: 'trim', op: 'upsert', data: { high: -1, ts: t - 7200 } });
    await publish(r.url, events);
    await r.ctx.series.recorder.idle();
    assert.equal(await client.zcard('live:series:prices:trim'), 10);
    const kept = await r.ctx.series.store.range('prices', 'trim', 0, Infinity);
    assert.deepEqual(kept.map((p) => p.values.high), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const ttl = await client.pttl('live:series:prices:trim');
    assert.ok(ttl > 0 && ttl <= 3_600_000, 'an idle series expires');
  });

  test('while Redis is down the route answers 503; it recovers when Redis returns', async () => {
    const r = await relay();
    await publish(r.url, { topic: 'prices', key: 'outage', op: 'upsert', data: { high: 1, ts: nowS() } });
    await r.ctx.series.recorder.idle();
    await redis.kill();
    try {
      const down = await series(r, 'prices/outage?period=1h&cache=skip');
      assert.equal(down.status, 503);
      assert.match(down.body.error.message, /series store cannot be reached/);
    } finally {
      await redis.restart();
    }
    // The restarted Redis is empty (no persistence): the series is gone but the route works again.
    await waitUntil(async () => (await series(r, 'prices/outage?period=1h&cache=skip')).status === 200, 'the series route to answer again', 15_000, 200);
    client.disconnect();
    client = new Redis(redis.url);
  });
});
