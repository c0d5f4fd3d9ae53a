import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStream, publish, spawnRelay, type SpawnedRelay, type TestStream } from '../helpers/relay.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitUntil } from '../helpers/wait.js';
import { metricsText } from '../helpers/metrics.mjs';

// Relays while Redis is away: clients stay connected, /readyz and publish answer 503, and once Redis
// is back the clients get what was published meanwhile (a partition) or a reset (Redis lost its log).

let redis: PrivateRedis;
let proxy: TcpProxy;
const relays: SpawnedRelay[] = [];
const streams: TestStream[] = [];

before(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port);
});

after(async () => {
  for (const s of streams) s.close();
  for (const r of relays) await r.stop();
  await proxy.close();
  await redis.stop();
});

async function relay(redisUrl: string): Promise<SpawnedRelay> {
  const r = await spawnRelay({ REDIS_URL: redisUrl, HEARTBEAT_MS: '200' });
  relays.push(r);
  return r;
}

async function stream(url: string, topics: string): Promise<TestStream> {
  const s = await openStream(url, { topics });
  streams.push(s);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  await s.waitFor((f) => f.some((x) => x.event === 'connected'), 10_000, 'connected');
  return s;
}

const readyStatus = async (url: string) => (await fetch(`${url}/readyz`)).status;
const changeIds = (s: TestStream) => s.frames.filter((f) => f.event === 'change').map((f) => f.id);

test('a relay cut off from Redis stays up, answers 503, and catches up on what another relay published meanwhile', async () => {
  const far = await relay(`redis://127.0.0.1:${proxy.port}`);
  const near = await relay(redis.url);
  const client = await stream(far.url, 'services');
  const published: string[] = [];
  published.push(...(await publish(near.url, { topic: 'services', key: 'api', op: 'upsert', data: { status: 'running' } })).body.ids);
  await client.waitFor(() => changeIds(client).length === 1, 10_000, 'the first change');

  proxy.cut();
  await waitUntil(async () => (await readyStatus(far.url)) === 503, 'the cut-off relay to report not ready');
  const refused = await publish(far.url, { topic: 'services', key: 'api', op: 'patch', data: { status: 'failed' } });
  assert.equal(refused.status, 503, 'never a fake success');
  assert.equal(refused.body.error.code, 'bus_unavailable');
  for (let i = 0; i < 3; i++) {
    const ok = await publish(near.url, { topic: 'services', key: `w${i}`, op: 'upsert', data: { status: 'idle' } });
    assert.equal(ok.status, 200);
    published.push(...ok.body.ids);
  }
  const beats = client.comments.length;
  await client.waitFor(() => client.comments.length > beats, 5000, 'a heartbeat while Redis is unreachable');

  proxy.restore();
  await waitUntil(async () => (await readyStatus(far.url)) === 200, 'the relay to be ready again');
  await client.waitFor(() => changeIds(client).length >= 4, 10_000, 'the changes published meanwhile');
  assert.deepEqual(changeIds(client), published);
  assert.ok(!client.frames.some((f) => f.event === 'reset'), 'the log survived: no reset');
  const after = await publish(far.url, { topic: 'services', key: 'api', op: 'patch', data: { status: 'completed' } });
  assert.equal(after.status, 200);
  await client.waitFor(() => changeIds(client).includes(after.body.ids[0]), 10_000, 'a change published through the recovered relay');
});

test('a relay started while Redis is unreachable listens, reports not ready, and connects when Redis answers', async () => {
  proxy.cut();
  const r = await relay(`redis://127.0.0.1:${proxy.port}`);
  assert.equal(await readyStatus(r.url), 503);
  assert.equal((await fetch(`${r.url}/healthz`)).status, 200, 'alive all the same');
  assert.equal((await publish(r.url, { topic: 'services', key: 'x', op: 'delete' })).status, 503);
  proxy.restore();
  await waitUntil(async () => (await readyStatus(r.url)) === 200, 'the relay to connect');
  assert.equal((await publish(r.url, { topic: 'services', key: 'x', op: 'delete' })).status, 200);
});

test('Redis killed and restarted: clients stay connected, get a reset for the lost log, then live events', async () => {
  const r = await relay(redis.url);
  const client = await stream(r.url, 'prices,rss/feed-1');
  const before = await publish(r.url, { topic: 'prices', key: '4151', op: 'upsert', data: { high: 1 } });
  await client.waitFor(() => changeIds(client).includes(before.body.ids[0]), 10_000, 'the first change');

  await redis.kill();
  await waitUntil(async () => (await readyStatus(r.url)) === 503, '/readyz to answer 503');
  const refused = await publish(r.url, { topic: 'prices', key: '4151', op: 'upsert', data: { high: 2 } });
  assert.equal(refused.status, 503);
  assert.match(await metricsText(r.url), /^live_bus_ready 0$/m);
  const beats = client.comments.length;
  await client.waitFor(() => client.comments.length > beats, 5000, 'a heartbeat during the outage');

  await redis.restart();
  await waitUntil(async () => (await readyStatus(r.url)) === 200, 'the relay to reconnect');
  await client.waitFor((f) => f.some((x) => x.event === 'reset'), 10_000, 'a reset for the lost log');
  const reset = client.frames.find((f) => f.event === 'reset')!;
  assert.equal(reset.json.reason, 'epoch');
  assert.deepEqual([...reset.json.topics].sort(), ['prices', 'rss'], 'the topics to re-read');
  const text = await metricsText(r.url);
  assert.match(text, /^live_bus_ready 1$/m);
  assert.match(text, /^live_bus_epoch_changes_total 1$/m);

  const later = await publish(r.url, { topic: 'prices', key: '4151', op: 'upsert', data: { high: 3 } });
  assert.equal(later.status, 200);
  await client.waitFor(() => changeIds(client).includes(later.body.ids[0]), 10_000, 'a live change after the restart');
  const resumed = await openStream(r.url, { topics: 'prices', lastEventId: before.body.ids[0] });
  streams.push(resumed);
  await resumed.waitFor((f) => f.some((x) => x.event === 'reset'), 10_000, 'a reset when resuming from the lost log');
  assert.equal(resumed.frames.find((f) => f.event === 'reset')!.json.reason, 'epoch');
});

test('a position trimmed from the Redis log gets an expired reset naming the topics', async () => {
  const r = await spawnRelay({ REDIS_URL: redis.url, REDIS_PREFIX: 'trim:', HISTORY_SIZE: '5' });
  relays.push(r);
  const first = await publish(r.url, { topic: 'leagues', key: 'l1', op: 'upsert', data: { name: 'A', teams: [] } });
  for (let i = 0; i < 10; i++) await publish(r.url, { topic: 'leagues', key: 'l1', op: 'patch', data: { season: `${i}` } });
  const s = await openStream(r.url, { topics: 'leagues', lastEventId: first.body.ids[0] });
  streams.push(s);
  await s.waitFor((f) => f.some((x) => x.event === 'reset'), 10_000, 'a reset');
  const reset = s.frames.find((f) => f.event === 'reset')!;
  assert.equal(reset.json.reason, 'expired');
  assert.deepEqual(reset.json.topics, ['leagues']);
  assert.equal(changeIds(s).length, 0, 'nothing replayed from a log that cannot prove it is complete');
});
