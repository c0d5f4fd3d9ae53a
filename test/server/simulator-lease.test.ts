import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisLease } from '../../server/sources/redis-lease.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { spawnRelay, type SpawnedRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';

/** With several relays on one Redis, one simulator runs; another takes over when its relay stops. */

async function published(url: string): Promise<number> {
  return (await metricTotal(url, 'live_events_published_total')) ?? NaN;
}

describe('simulator lease on Redis', () => {
  let redis: PrivateRedis;
  const clients: Redis[] = [];
  const relays: SpawnedRelay[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const r of relays) await r.kill();
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  test('one holder at a time; stop() hands the lease over', async () => {
    const [ra, rb] = [new Redis(redis.url), new Redis(redis.url)];
    clients.push(ra, rb);
    const a = new RedisLease(ra, 'test:lease', 600);
    const b = new RedisLease(rb, 'test:lease', 600);
    await a.start();
    await b.start();
    assert.equal(a.held(), true);
    assert.equal(b.held(), false);
    await a.stop();
    await waitUntil(() => b.held(), 'the second lease to take over');
    await b.stop();
  });

  test('two relays with SIMULATE on one Redis: one publishes; when it stops the other takes over', async () => {
    const env = { REDIS_URL: redis.url, SIMULATE: '1', REDIS_PREFIX: 'sim:' };
    const a = await spawnRelay(env);
    relays.push(a);
    const b = await spawnRelay(env);
    relays.push(b);
    await waitUntil(async () => (await published(a.url)) + (await published(b.url)) >= 30, 'the simulator to publish', 20_000, 100);
    const [pa, pb] = [await published(a.url), await published(b.url)];
    assert.ok((pa === 0) !== (pb === 0), `exactly one relay simulates (a: ${pa}, b: ${pb})`);
    const [leader, follower] = pa > 0 ? [a, b] : [b, a];
    assert.equal(await leader.stop(), 0);
    await waitUntil(async () => (await published(follower.url)) >= 20, 'the other relay to take over', 20_000, 100);
  });
});
