import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN_ID } from '../../src/core/wire.js';
import { buses, type BusMaker } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';

/** The SSE stream end to end over a real socket, on every bus. */
for (const harness of buses) {
  describe(`SSE stream (${harness.name} bus)`, () => {
    let maker: BusMaker;
    const relays: InProcessRelay[] = [];
    const streams: TestStream[] = [];
    const relay = async (config = {}, busOptions = {}) => {
      const r = await startRelay({ config, bus: await maker.create(busOptions) });
      relays.push(r);
      return r;
    };
    const stream = async (...args: Parameters<typeof openStream>) => {
      const s = await openStream(...args);
      streams.push(s);
      return s;
    };
    before(async () => {
      maker = await harness.setup();
    });
    after(async () => {
      for (const s of streams) s.close();
      for (const r of relays) await r.close();
      await maker?.teardown();
    });

    test('first frame is connected with retry; headers are proxy-safe; changes carry ids', async () => {
      const r = await relay({ RETRY_MS: 1234 });
      const s = await stream(r.url, { topics: 'prices,services/api-1' });
      assert.equal(s.status, 200);
      assert.match(s.headers.get('content-type')!, /^text\/event-stream/);
      assert.match(s.headers.get('cache-control')!, /no-cache/);
      assert.equal(s.headers.get('x-accel-buffering'), 'no');
      await s.waitFor((f) => f.length >= 1, 5000, 'connected');
      assert.equal(s.frames[0].event, 'connected');
      assert.equal(s.frames[0].json.lastEventId, ORIGIN_ID);
      assert.equal(typeof s.frames[0].json.clientId, 'string');
      assert.equal(s.retry, 1234);
      const pub = await publish(r.url, [
        { topic: 'prices', key: '4151', op: 'upsert', data: { high: 1 } },
        { topic: 'services', key: 'api-2', op: 'upsert', data: { status: 'idle' } },
        { topic: 'services', key: 'api-1', op: 'upsert', data: { status: 'running' } },
        { topic: 'other', key: 'x', op: 'upsert', data: 1 },
      ]);
      assert.equal(pub.status, 200);
      await s.waitFor((f) => f.filter((x) => x.event === 'change').length >= 2, 5000, 'two changes');
      const changes = s.frames.filter((f) => f.event === 'change');
      assert.deepEqual(changes.map((f) => f.id), [pub.body.ids[0], pub.body.ids[2]]);
      assert.deepEqual(changes.map((f) => f.json.id), [pub.body.ids[0], pub.body.ids[2]]);
      assert.deepEqual(changes[1].json.data, { status: 'running' });
    });

    test('bad selectors answer 400 naming the problem', async () => {
      const r = await relay();
      const s = await stream(r.url, { topics: 'Prices' });
      assert.equal(s.status, 400);
      assert.match(s.body.error.message, /topics: selector "Prices".*not valid/);
      const none = await fetch(`${r.url}/v1/events`);
      assert.equal(none.status, 400);
      assert.match((await none.json()).error.message, /no topics selected/);
    });

    test('resume by Last-Event-ID (header or query) replays exactly what came after', async () => {
      const r = await relay();
      const pub = await publish(r.url, [1, 2, 3, 4].map((i) => ({ topic: 't', key: `k${i}`, op: 'upsert', data: i })));
      for (const inQuery of [false, true]) {
        const s = await stream(r.url, { topics: 't', lastEventId: pub.body.ids[1], lastEventIdInQuery: inQuery });
        // The second round also replays the live event the first round published.
        const expected = inQuery ? [3, 4, 5] : [3, 4];
        await s.waitFor((f) => f.filter((x) => x.event === 'change').length >= expected.length, 5000, 'replay');
        assert.equal(s.frames[0].json.lastEventId, pub.body.ids[1]);
        assert.deepEqual(s.changes().map((e) => e.data), expected);
        const more = await publish(r.url, { topic: 't', key: 'k5', op: 'upsert', data: 5 });
        await s.waitFor((f) => f.some((x) => x.id === more.body.ids[0]), 5000, 'the live event');
        s.close();
      }
    });

    test('an expired position gets reset naming the topics, then the stream goes on', async () => {
      const r = await relay({}, { historySize: 5 });
      const first = await publish(r.url, { topic: 't', key: 'a', op: 'upsert', data: 0 });
      for (let i = 0; i < 4; i++) await publish(r.url, Array.from({ length: 100 }, (_, j) => ({ topic: 't', key: `k${j}`, op: 'upsert', data: i })));
      const s = await stream(r.url, { topics: 't,u/x', lastEventId: first.body.ids[0] });
      await s.waitFor((f) => f.some((x) => x.event === 'reset'), 5000, 'reset');
      const reset = s.frames.find((f) => f.event === 'reset')!;
      assert.deepEqual(reset.json.topics, ['t', 'u']);
      assert.equal(reset.json.reason, 'expired');
      assert.equal(reset.json.lastEventId, (await r.ctx.bus.lastId()));
      assert.equal(reset.id, reset.json.lastEventId, 'the reset moves the resume position to the head');
      assert.equal(s.changes().length, 0, 'nothing is replayed across a gap');
      const live = await publish(r.url, { topic: 't', key: 'z', op: 'upsert', data: 1 });
      await s.waitFor((f) => f.some((x) => x.id === live.body.ids[0]), 5000, 'live after reset');
      const other = await stream(r.url, { topics: 't', lastEventId: '99999999999999-0' });
      await other.waitFor((f) => f.some((x) => x.event === 'reset'), 5000, 'reset for an unknown id');
      assert.equal(other.frames.find((f) => f.event === 'reset')!.json.reason, 'epoch');
    });
  });
}
