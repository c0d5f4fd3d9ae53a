import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStream, publish, spawnRelay, type SpawnedRelay, type TestStream } from '../helpers/relay.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';

// Two relay processes on one Redis: whichever relay an event is published to, both relays' clients
// get it with the same id, in the same order; a client can resume on the other relay.

let redis: PrivateRedis;
const relays: SpawnedRelay[] = [];
const streams: TestStream[] = [];

before(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, HISTORY_SIZE: '1000' };
  relays.push(...(await Promise.all([spawnRelay(env), spawnRelay(env)])));
});

after(async () => {
  for (const s of streams) s.close();
  for (const r of relays) await r.stop();
  await redis.stop();
});

async function stream(url: string, options: Parameters<typeof openStream>[1]): Promise<TestStream> {
  const s = await openStream(url, options);
  streams.push(s);
  assert.equal(s.status, 200, `stream on ${url}: ${JSON.stringify(s.body)}`);
  await s.waitFor((f) => f.some((x) => x.event === 'connected'), 10_000, 'connected');
  return s;
}

const changeIds = (s: TestStream) => s.frames.filter((f) => f.event === 'change').map((f) => f.id);

test('two relays on one Redis deliver the same events with the same ids, in the same order', async () => {
  const [a, b] = relays;
  const onA = await stream(a.url, { topics: 'prices' });
  const onB = await stream(b.url, { topics: 'prices' });
  const ids: string[] = [];
  // Publish to both relays at once so their appends interleave in Redis.
  await Promise.all(
    [a, b].map(async (relay, r) => {
      for (let i = 0; i < 10; i++) {
        const res = await publish(relay.url, [
          { topic: 'prices', key: `${r}-${i}`, op: 'upsert', data: { high: i } },
          { topic: 'other', key: 'x', op: 'upsert', data: i },
        ]);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        ids.push(res.body.ids[0]);
      }
    }),
  );
  for (const s of [onA, onB]) await s.waitFor(() => changeIds(s).length >= 20, 10_000, '20 price changes');
  assert.deepEqual(changeIds(onA), changeIds(onB), 'same ids in the same order on both relays');
  assert.deepEqual(new Set(changeIds(onA)), new Set(ids), 'exactly the published prices, no other topic');
  assert.deepEqual(onA.changes().map((e) => e.key), onB.changes().map((e) => e.key));

  const snapA = await (await fetch(`${a.url}/v1/topics/prices`)).json();
  const snapB = await (await fetch(`${b.url}/v1/topics/prices`)).json();
  assert.deepEqual(snapA, snapB, 'both relays serve the same snapshot');
  assert.equal(Object.keys(snapA.items).length, 20);
});

test('a client resumes on the other relay after the id it got from the first: no gap, no duplicate', async () => {
  const [a, b] = relays;
  const first = await stream(a.url, { topics: 'games' });
  const published: string[] = [];
  for (let i = 0; i < 3; i++) published.push(...(await publish(b.url, { topic: 'games', key: `g${i}`, op: 'upsert', data: i })).body.ids);
  await first.waitFor(() => changeIds(first).length >= 3, 10_000, 'three games');
  first.close();
  const resumeAfter = changeIds(first)[1]!;
  // Publish while the client is away, partly during its reconnect.
  published.push(...(await publish(a.url, { topic: 'games', key: 'g3', op: 'upsert', data: 3 })).body.ids);
  const [resumed] = await Promise.all([
    stream(b.url, { topics: 'games', lastEventId: resumeAfter }),
    publish(a.url, { topic: 'games', key: 'g4', op: 'upsert', data: 4 }).then((r) => published.push(...r.body.ids)),
  ]);
  await resumed.waitFor(() => changeIds(resumed).length >= 3, 10_000, 'the three games after the resume position');
  await publish(b.url, { topic: 'games', key: 'g5', op: 'upsert', data: 5 }).then((r) => published.push(...r.body.ids));
  await resumed.waitFor(() => changeIds(resumed).length >= 4, 10_000, 'the live game');
  assert.deepEqual(changeIds(resumed), published.slice(2), 'everything after the resume position, once each');
  assert.ok(!resumed.frames.some((f) => f.event === 'reset'));
});

test('a relay on Redis shuts down gracefully: its clients get timeout, it exits 0, the other relay carries on', async () => {
  const [a, b] = relays;
  const onB = await stream(b.url, { topics: 'prices' });
  const onA = await stream(a.url, { topics: 'prices' });
  assert.equal(await b.stop(), 0, 'exit code 0 on SIGTERM');
  await onB.waitFor((f) => f.some((x) => x.event === 'timeout' && x.json.reason === 'shutdown'), 10_000, 'timeout (shutdown)');
  const res = await publish(a.url, { topic: 'prices', key: 'after-stop', op: 'upsert', data: { high: 1 } });
  assert.equal(res.status, 200);
  await onA.waitFor(() => changeIds(onA).includes(res.body.ids[0]), 10_000, 'a change on the relay still running');
});
