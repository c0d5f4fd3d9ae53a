import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds } from '../../src/core/wire.js';
import type { AppendInput } from '../../server/bus/bus.js';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitUntil } from '../helpers/wait.js';
import { metricsText } from '../helpers/metrics.mjs';

// Issue 12, item 1: the Redis append script trims the log in the same call, and a relay's tail
// used to read on after its last delivered id without looking at the trim floor, so a live client
// silently missed whatever was trimmed before the tail read it. Now the tail reads the floor with
// the entries, and a stream that lacks the trimmed events gets `reset` (reason `expired`), as a
// client resuming from a trimmed position does.

const HISTORY = 100;
let redis: PrivateRedis;
let proxy: TcpProxy;
const relays: InProcessRelay[] = [];
const streams: TestStream[] = [];
const others: RedisBus[] = [];
let prefixes = 0;

before(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port);
});
after(async () => {
  for (const s of streams) s.close();
  for (const r of relays) await r.close();
  for (const b of others) await b.close();
  await proxy.close();
  await redis.stop();
});

/** A relay on the shared log under `prefix`, and another bus on the same log (another relay, or a source writing directly). */
async function setup(relayUrl = redis.url) {
  const prefix = `trim${prefixes++}:`;
  const options = { ...TEST_BUS_OPTIONS, historySize: HISTORY, prefix };
  const bus = await RedisBus.connect({ ...options, url: relayUrl });
  const relay = await startRelay({ bus, config: { HISTORY_SIZE: HISTORY } });
  relays.push(relay);
  const other = await RedisBus.connect({ ...options, url: redis.url });
  others.push(other);
  return { relay, other };
}

async function stream(url: string, topics: string): Promise<TestStream> {
  const s = await openStream(url, { topics });
  streams.push(s);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  await s.waitFor((f) => f.some((x) => x.event === 'connected'), 10_000, 'connected');
  return s;
}

const events = (n: number, topic = 'p'): AppendInput[] => Array.from({ length: n }, (_, i) => ({ topic, key: `k${i % 7}`, op: 'upsert', data: { i } }));

test('one append larger than the retained log: the live client gets reset (expired, naming its topics), then the retained events after the gap', async () => {
  const { relay, other } = await setup();
  const client = await stream(relay.url, 'p,q');
  const { events: written } = await other.append(events(300));
  const lastId = written.at(-1)!.id;
  await client.waitFor((f) => f.some((x) => x.id === lastId), 10_000, 'the last event of the append');

  const resetAt = client.frames.findIndex((f) => f.event === 'reset');
  assert.ok(resetAt > 0, `no reset among ${client.frames.length} frames: the gap was silent`);
  const reset = client.frames[resetAt];
  assert.equal(reset.json.reason, 'expired');
  assert.deepEqual(reset.json.topics, ['p', 'q']);
  // The stream continues right after the gap: the events after the reset are the log's whole tail from there.
  assert.equal(reset.id, reset.json.lastEventId);
  const after = client.frames.slice(resetAt + 1).filter((f) => f.event === 'change').map((f) => f.id!);
  const tail = written.filter((e) => compareIds(e.id, reset.json.lastEventId) > 0).map((e) => e.id);
  assert.deepEqual(after, tail);
  assert.ok(after.length >= HISTORY && after.length < 300, `${after.length} events after the gap`);
  // And a client resuming from the reset's position replays from there without another reset.
  const resumed = await openStream(relay.url, { topics: 'p', lastEventId: reset.json.lastEventId });
  streams.push(resumed);
  await resumed.waitFor((f) => f.some((x) => x.id === lastId), 10_000, 'the resumed replay');
  assert.equal(resumed.frames.filter((f) => f.event === 'reset').length, 0);
  assert.match(await metricsText(relay.url), /^live_replay_resets_total 1$/m);
});

test('a tail cut off while other relays append more than the retained log: reset on reconnect, never a silent gap', async () => {
  const { relay, other } = await setup(`redis://127.0.0.1:${proxy.port}`);
  const client = await stream(relay.url, 'p');
  const first = (await other.append(events(1))).events[0].id;
  await client.waitFor((f) => f.some((x) => x.id === first), 10_000, 'the first event');

  proxy.cut();
  await waitUntil(() => !relay.ctx.bus.isReady(), 'the cut-off relay to notice', 10_000);
  // Batches each smaller than the log, together more than it keeps.
  let lastId = '';
  for (let i = 0; i < 4; i++) lastId = (await other.append(events(60))).events.at(-1)!.id;
  proxy.restore();
  await client.waitFor((f) => f.some((x) => x.id === lastId), 20_000, 'the last event after the reconnect');
  const reset = client.frames.find((f) => f.event === 'reset');
  assert.ok(reset, 'the reconnected tail skipped trimmed events without a reset');
  assert.equal(reset.json.reason, 'expired');
});

test('the reproduction through the door: a publish of 300 events with HISTORY_SIZE=100 answers 413 naming HISTORY_SIZE, and nothing is stored', async () => {
  const { relay } = await setup();
  const client = await stream(relay.url, 'p');
  const res = await publish(relay.url, events(300));
  assert.equal(res.status, 413, JSON.stringify(res.body));
  assert.match(res.body.error.message, /HISTORY_SIZE=100/);
  assert.equal(await relay.ctx.bus.lastId(), null);
  assert.deepEqual(client.changes(), []);
});

test('a stream opened after the gap gets no reset', async () => {
  const { relay, other } = await setup();
  const { events: written } = await other.append(events(300));
  const lastId = written.at(-1)!.id;
  // Wait until the relay's tail has moved past the gap (its own streams' concern, none here).
  await waitUntil(async () => (await relay.ctx.bus.lastId()) === lastId, 'the relay to see the append');
  const s = await stream(relay.url, 'p');
  const next = (await other.append(events(1))).events[0].id;
  await s.waitFor((f) => f.some((x) => x.id === next), 10_000, 'the next event');
  assert.equal(s.frames.filter((f) => f.event === 'reset').length, 0);
});
