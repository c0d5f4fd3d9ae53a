import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Config } from '../../server/config.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';

/**
 * Issue 12, item 9: `fields=` allocated a column per field over every point, so a 12 kB request
 * for 3,000 fields answered 13.6 MB; and every distinct field set made one more cache entry.
 */

const nowS = () => Math.floor(Date.now() / 1000);

describe('adversarial: series fields amplification', () => {
  const relays: InProcessRelay[] = [];
  let redis: PrivateRedis;
  let client: Redis;
  const relay = async (config: Partial<Config> = {}) => {
    const r = await startRelay({ config });
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

  test('a request for 3,000 fields answers 400 naming the limit and its variable', async () => {
    const r = await relay();
    await publish(r.url, { topic: 'prices', key: 'amp', op: 'upsert', data: { high: 2, low: 1, ts: nowS() - 5 } });
    await r.ctx.series.recorder.idle();
    const fields = Array.from({ length: 3000 }, (_, i) => i.toString(36)).join(',');
    const res = await fetch(`${r.url}/v1/series/prices/amp?period=all&fields=${fields}`);
    const text = await res.text();
    assert.equal(res.status, 400, `answered ${res.status} with ${text.length} bytes`);
    const body = JSON.parse(text);
    assert.equal(body.error.code, 'bad_request');
    assert.match(body.error.message, /3000 fields/);
    assert.match(body.error.message, /at most 16/);
    assert.match(body.error.message, /SERIES_MAX_FIELDS/);
  });

  test('the limit is the configured one: SERIES_MAX_FIELDS fields pass, one more does not', async () => {
    const r = await relay({ SERIES_MAX_FIELDS: 3 });
    await publish(r.url, { topic: 'prices', key: 'amp', op: 'upsert', data: { a: 1, b: 2, c: 3, d: 4, ts: nowS() - 5 } });
    await r.ctx.series.recorder.idle();
    const ok = await fetch(`${r.url}/v1/series/prices/amp?period=all&fields=a,b,c`);
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(((await ok.json()) as { series: object }).series), ['a', 'b', 'c']);
    const over = await fetch(`${r.url}/v1/series/prices/amp?period=all&fields=a,b,c,d`);
    assert.equal(over.status, 400);
    assert.match(((await over.json()) as { error: { message: string } }).error.message, /at most 3 .*SERIES_MAX_FIELDS/);
  });

  test('many distinct field sets do not grow the Redis cache past SERIES_CACHE_MAX_ENTRIES', async () => {
    const prefix = 'amp:';
    const r = await relay({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, SERIES_CACHE_MAX_ENTRIES: 10 });
    await publish(r.url, { topic: 'prices', key: 'amp', op: 'upsert', data: { high: 2, low: 1, ts: nowS() - 5 } });
    await r.ctx.series.recorder.idle();
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${r.url}/v1/series/prices/amp?period=1y&fields=high,x${i}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-cache'), 'miss');
      await res.body?.cancel();
    }
    const entries = (await client.keys(`${prefix}series-cache:*`)).filter((k) => !k.endsWith('#index'));
    assert.ok(entries.length <= 10, `the cache holds ${entries.length} answers`);
    assert.ok(entries.length > 0, 'the cache still caches');
    // The newest answer is the one kept: a chart asking again is served from the cache.
    const again = await fetch(`${r.url}/v1/series/prices/amp?period=1y&fields=high,x59`);
    assert.equal(again.headers.get('x-cache'), 'hit');
    await again.body?.cancel();
  });
});
