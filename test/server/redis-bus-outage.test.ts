import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BusUnavailableError } from '../../server/bus/bus.js';
import { RedisBus, type RedisBusOptions } from '../../server/bus/redis-bus.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// RedisBus when Redis goes away: a partition (Redis keeps running, other relays keep appending),
// a crash and restart (the log is lost: a new epoch), and a flush without any disconnect.

let redis: PrivateRedis;
let proxy: TcpProxy;
const buses: RedisBus[] = [];

const options = (url: string, prefix: string): RedisBusOptions => ({ url, prefix, historySize: 1000, listLimit: 10, dedupeTtlMs: 60_000 });

async function connect(url: string, prefix: string): Promise<RedisBus> {
  const bus = await RedisBus.connect(options(url, prefix));
  buses.push(bus);
  assert.equal(bus.isReady(), true);
  return bus;
}

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port);
});

after(async () => {
  for (const bus of buses) await bus.close();
  await proxy.close();
  await redis.stop();
});

test('partitioned from Redis: not ready, appends fail fast; reconnected: catches up on what other relays appended', async () => {
  const far = await connect(`redis://127.0.0.1:${proxy.port}`, 'part:');
  const near = await connect(redis.url, 'part:');
  const seen: string[] = [];
  far.subscribe((events) => seen.push(...events.map((e) => e.id)));
  let epochChanges = 0;
  far.onEpochChange(() => epochChanges++);
  const readiness: boolean[] = [];
  far.onReadyChange((ready) => readiness.push(ready));

  const before = await near.append([{ topic: 'p', key: 'a', op: 'upsert', data: 0 }]);
  await until('the far bus to see the first event', () => seen.length === 1);

  proxy.cut();
  await until('the far bus to notice the partition', () => !far.isReady());
  const started = Date.now();
  await assert.rejects(far.append([{ topic: 'p', key: 'a', op: 'upsert', data: 1 }]), BusUnavailableError);
  await assert.rejects(far.snapshot('p'), BusUnavailableError);
  assert.ok(Date.now() - started < 500, 'rejected at once, not after a timeout');

  const meanwhile = await near.append([1, 2, 3].map((i) => ({ topic: 'p', key: `k${i}`, op: 'upsert' as const, data: i })));
  proxy.restore();
  await until('the far bus to be ready again', () => far.isReady());
  await until('the far bus to deliver what was appended meanwhile', () => seen.length === 4);
  assert.deepEqual(seen, [...before.events, ...meanwhile.events].map((e) => e.id));
  assert.equal(epochChanges, 0, 'the log survived: no epoch change');
  assert.deepEqual(readiness, [false, true]);
  assert.deepEqual((await far.snapshot('p')).items, { a: 0, k1: 1, k2: 2, k3: 3 });
});

test('Redis killed and restarted empty: not ready meanwhile, then ready with a new epoch', async () => {
  const bus = await connect(redis.url, 'crash:');
  const seen: string[] = [];
  bus.subscribe((events) => seen.push(...events.map((e) => e.key)));
  let epochChanges = 0;
  bus.onEpochChange(() => epochChanges++);
  const old = await bus.append([{ topic: 'c', key: 'before', op: 'upsert', data: 1 }]);

  await redis.kill();
  await until('the bus to notice Redis is gone', () => !bus.isReady());
  await assert.rejects(bus.append([{ topic: 'c', key: 'lost', op: 'upsert', data: 1 }]), BusUnavailableError);

  await redis.restart();
  await until('the bus to reconnect', () => bus.isReady());
  assert.equal(epochChanges, 1, 'the restarted Redis lost the log: one epoch change');
  assert.deepEqual(await bus.readSince(old.events[0].id, [{ topic: 'c' }]), { ok: false, reason: 'epoch' });
  await bus.append([{ topic: 'c', key: 'after', op: 'upsert', data: 2 }]);
  await until('the new event to be delivered', () => seen.includes('after'));
  assert.deepEqual(seen, ['before', 'after']);
  assert.deepEqual((await bus.snapshot('c')).items, { after: 2 });
});

test('a flushed Redis is noticed as a new epoch without any disconnect', async () => {
  const bus = await connect(redis.url, 'flush:');
  let epochChanges = 0;
  bus.onEpochChange(() => epochChanges++);
  await bus.append([{ topic: 'f', key: 'a', op: 'upsert', data: 1 }]);
  const admin = new Redis(redis.url);
  try {
    await admin.flushall();
  } finally {
    admin.disconnect();
  }
  await until('the epoch change', () => epochChanges === 1, 8000);
  assert.equal(bus.isReady(), true);
});
