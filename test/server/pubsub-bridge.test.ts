import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../server/config.js';
import { bridgeMessageToInput, parseBridgeMapping, type BridgeMapping } from '../../server/sources/bridge-messages.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { openStream, spawnRelay, SpawnError, type SpawnedRelay, type TestStream } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';

/** The Redis Pub/Sub bridge: channel patterns into topics, once across relays, bad messages counted. */

const run = promisify(execFile);

/** The real redis-cli, as a worker's operator would use it. */
async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return (await metricTotal(url, name, labels)) ?? 0;
}

const mapping = (entry: string, field: string | null = null) => parseBridgeMapping(entry, field) as BridgeMapping;
const MAX = 1024;
const LIMITS = { maxDepth: 8, maxBytes: MAX, maxEvents: 100 };

/** The event a message became, without the JSON it was encoded into once (checked to be its data's). */
function event(r: ReturnType<typeof bridgeMessageToInput>): unknown {
  if ('reason' in r || !('dataJson' in r)) return r;
  const { dataJson, ...rest } = r as typeof r & { dataJson: string };
  assert.equal(dataJson, JSON.stringify(rest.data));
  return rest;
}

describe('pubsub bridge: message → event', () => {
  test('a JSON object is the new value of the key the * matched', () => {
    const m = mapping('service:*=services');
    assert.deepEqual(event(bridgeMessageToInput(m, 'service:balance-sync', '{"service":"balance-sync","status":{"status":"running"}}', MAX, LIMITS)), {
      topic: 'services',
      key: 'balance-sync',
      op: 'upsert',
      data: { service: 'balance-sync', status: { status: 'running' } },
    });
  });

  test('a field is unwrapped, per mapping or by PUBSUB_BRIDGE_FIELD; a message without it is invalid', () => {
    const msg = '{"service":"balance-sync","timestamp":1,"status":{"name":"Balance sync","status":"running"}}';
    const expected = { topic: 'services', key: 'balance-sync', op: 'upsert', data: { name: 'Balance sync', status: 'running' } };
    assert.deepEqual(event(bridgeMessageToInput(mapping('service:*=services:status'), 'service:balance-sync', msg, MAX, LIMITS)), expected);
    assert.deepEqual(event(bridgeMessageToInput(mapping('service:*=services', 'status'), 'service:balance-sync', msg, MAX, LIMITS)), expected);
    const missing = bridgeMessageToInput(mapping('service:*=services:status'), 'service:x', '{"service":"x"}', MAX, LIMITS);
    assert.equal('reason' in missing && missing.reason, 'invalid');
  });

  test('an envelope {op, data} gives patch and delete', () => {
    const m = mapping('jobs.*.state=jobs');
    assert.deepEqual(event(bridgeMessageToInput(m, 'jobs.42.state', '{"op":"patch","data":{"progress":50}}', MAX, LIMITS)), { topic: 'jobs', key: '42', op: 'patch', data: { progress: 50 } });
    assert.deepEqual(event(bridgeMessageToInput(m, 'jobs.42.state', '{"op":"delete"}', MAX, LIMITS)), { topic: 'jobs', key: '42', op: 'delete' });
  });

  test('non-JSON, oversized and invalid messages are rejected with a reason', () => {
    const m = mapping('service:*=services');
    const reason = (r: ReturnType<typeof bridgeMessageToInput>) => ('reason' in r ? r.reason : 'published');
    assert.equal(reason(bridgeMessageToInput(m, 'service:a', 'not json', MAX, LIMITS)), 'not_json');
    assert.equal(reason(bridgeMessageToInput(m, 'service:a', JSON.stringify({ pad: 'x'.repeat(MAX) }), MAX, LIMITS)), 'too_large');
    assert.equal(reason(bridgeMessageToInput(m, 'service:a', '[1,2]', MAX, LIMITS)), 'invalid');
    assert.equal(reason(bridgeMessageToInput(m, 'service:a', '{"op":"patch","data":3}', MAX, LIMITS)), 'invalid');
    assert.equal(reason(bridgeMessageToInput(m, `service:${'k'.repeat(300)}`, '{}', MAX, LIMITS)), 'invalid');
    // Nested deeper than MAX_VALUE_DEPTH: refused at the door like a publish, never stored.
    const deep = bridgeMessageToInput(m, 'service:a', `${'['.repeat(9)}${']'.repeat(9)}`.replace(/^\[/, '{"v":[').replace(/\]$/, ']}'), MAX, LIMITS);
    assert.equal(reason(deep), 'invalid');
    assert.match('reason' in deep ? deep.message : '', /MAX_VALUE_DEPTH/);
  });

  test('PUBSUB_BRIDGE entries are checked at start, and the bridge refuses the memory bus', () => {
    assert.throws(() => loadConfig({ PUBSUB_BRIDGE: 'service:*=services', REDIS_URL: 'redis://127.0.0.1:1', PUBSUB_BRIDGE_FIELD: 'a b' }), /PUBSUB_BRIDGE_FIELD/);
    assert.throws(() => loadConfig({ PUBSUB_BRIDGE: 'service:x=services', REDIS_URL: 'redis://127.0.0.1:1' }), /PUBSUB_BRIDGE=.*exactly one \*/);
    assert.throws(() => loadConfig({ PUBSUB_BRIDGE: 'service:*=Services!', REDIS_URL: 'redis://127.0.0.1:1' }), /PUBSUB_BRIDGE=.*topic/);
    assert.throws(() => loadConfig({ PUBSUB_BRIDGE: 'service:*=services' }), (err: Error) => err instanceof ConfigError && /PUBSUB_BRIDGE needs the Redis bus.*REDIS_URL/.test(err.message));
    assert.deepEqual(loadConfig({ PUBSUB_BRIDGE: 'service:*=services, job:*=jobs:state', REDIS_URL: 'redis://127.0.0.1:1' }).PUBSUB_BRIDGE, ['service:*=services', 'job:*=jobs:state']);
  });
});

describe('pubsub bridge on a real Redis', () => {
  let redis: PrivateRedis;
  const relays: SpawnedRelay[] = [];
  const streams: TestStream[] = [];
  let a: SpawnedRelay;
  let b: SpawnedRelay;
  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'bridge:', PUBSUB_BRIDGE: 'service:*=services', PUBSUB_BRIDGE_FIELD: 'status', MAX_BODY_BYTES: '2048' };
    a = await spawnRelay(env);
    relays.push(a);
    b = await spawnRelay(env);
    relays.push(b);
    // Both bridges subscribed (each has a connection in psubscribe mode) and one holds the lease.
    await waitUntil(async () => (await redisCli(redis.port, 'CLIENT', 'LIST')).split('\n').filter((l) => /name=live-elements:pubsub-bridge .*psub=1/.test(l)).length === 2, 'both bridges to subscribe');
    await waitUntil(async () => (await redisCli(redis.port, 'EXISTS', 'bridge:pubsub-bridge:lease')) === '1', 'a relay to take the lease');
  });
  after(async () => {
    for (const s of streams) s.close();
    for (const r of relays) await r.kill();
    await redis.stop();
  });

  test('the memory bus refuses it at start, naming the variable', async () => {
    await assert.rejects(spawnRelay({ PUBSUB_BRIDGE: 'service:*=services' }), (err: Error) => err instanceof SpawnError && /PUBSUB_BRIDGE needs the Redis bus/.test(err.output));
  });

  test('redis-cli PUBLISH reaches an SSE client and the snapshot, published once by two relays', async () => {
    const stream = await openStream(b.url, { topics: 'services' });
    streams.push(stream);
    await stream.waitFor((f) => f.some((x) => x.event === 'connected'));
    const status = { name: 'Balance sync', status: 'running', progress: 40, updatedAt: '2026-12-02T05:00:00.000Z' };
    const receivers = await redisCli(redis.port, 'PUBLISH', 'service:balance-sync', JSON.stringify({ service: 'balance-sync', timestamp: 1764651600, status }));
    assert.equal(receivers, '2', 'both relays heard it');
    await stream.waitFor((f) => f.some((x) => x.event === 'change'), 10_000, 'the bridged change');
    assert.deepEqual(stream.changes().map((e) => [e.topic, e.key, e.op, e.data]), [['services', 'balance-sync', 'upsert', status]]);
    const snapshot = await (await fetch(`${a.url}/v1/topics/services`)).json();
    assert.deepEqual(snapshot.items, { 'balance-sync': status });
    // Published by one relay only: the log holds one event, and the counters sum to one.
    const total = (await metric(a.url, 'live_events_published_total')) + (await metric(b.url, 'live_events_published_total'));
    assert.equal(total, 1);
    assert.equal(stream.changes().length, 1);
  });

  test('bad messages are counted, logged once per channel, never published', async () => {
    const before = (await metric(a.url, 'live_events_published_total')) + (await metric(b.url, 'live_events_published_total'));
    await redisCli(redis.port, 'PUBLISH', 'service:broken', 'not json');
    await redisCli(redis.port, 'PUBLISH', 'service:broken', '{oops');
    await redisCli(redis.port, 'PUBLISH', 'service:broken', JSON.stringify({ status: { pad: 'x'.repeat(3000) } }));
    await redisCli(redis.port, 'PUBLISH', 'service:broken', JSON.stringify({ service: 'no status field' }));
    const count = async (reason: string) => (await metric(a.url, 'live_bridge_rejected_total', { reason })) + (await metric(b.url, 'live_bridge_rejected_total', { reason }));
    await waitUntil(async () => (await count('invalid')) === 1, 'the invalid message to be counted');
    assert.equal(await count('not_json'), 2);
    assert.equal(await count('too_large'), 1);
    const after = (await metric(a.url, 'live_events_published_total')) + (await metric(b.url, 'live_events_published_total'));
    assert.equal(after, before, 'nothing was published');
    const logged = (a.output() + b.output()).split('\n').filter((l) => l.includes('dropped a message on service:broken'));
    assert.equal(logged.length, 1, `one log line for the channel, got:\n${logged.join('\n')}`);
    const snapshot = await (await fetch(`${a.url}/v1/topics/services`)).json();
    assert.deepEqual(Object.keys(snapshot.items), ['balance-sync']);
  });
});
