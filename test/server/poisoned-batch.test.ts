import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Envelope } from '../../src/core/wire.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { testConfig } from '../helpers/config.js';
import { Metrics } from '../../server/metrics.js';
import { ClientHub } from '../../server/sse/hub.js';
import { SseClient } from '../../server/sse/sse-client.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';

// Issue 12, item 2: a value nested 6000 levels deep was stored, then JSON.stringify threw in the
// hub's frame encoding: no live client got that batch, the snapshot answered 500 and every replay
// over it was cut off. Values are now bounded at the door (400 naming the limit, nothing stored),
// encoded once before they are stored, and one event's or one client's failure never drops the
// rest of a batch.

const deep = (levels: number) => {
  let v: unknown = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
};
/** A deep value as JSON text, built without JSON.stringify (which would overflow). */
const deepJson = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('poisoned batches', () => {
  const relays: InProcessRelay[] = [];
  const streams: TestStream[] = [];
  after(async () => {
    for (const s of streams) s.close();
    for (const r of relays) await r.close();
  });
  const relay = async (config = {}) => {
    const r = await startRelay({ config });
    relays.push(r);
    return r;
  };
  const stream = async (url: string, topics: string) => {
    const s = await openStream(url, { topics });
    streams.push(s);
    await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
    return s;
  };

  test('6000 nested arrays and a normal event in one publish: 400 naming MAX_VALUE_DEPTH, nothing stored, the stream and snapshot stay whole', async () => {
    const r = await relay();
    const s = await stream(r.url, 'p');
    const body = `[{"topic":"p","key":"deep","op":"upsert","data":${deepJson(6000)}},{"topic":"p","key":"ok","op":"upsert","data":{}}]`;
    const res = await publish(r.url, body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'value_too_deep');
    assert.match(res.body.error.message, /events\[0\]\.data .*64 levels.*MAX_VALUE_DEPTH/);
    assert.equal(await r.ctx.bus.lastId(), null, 'nothing was stored');
    const snap = await fetch(`${r.url}/v1/topics/p`);
    assert.equal(snap.status, 200);
    assert.deepEqual((await snap.json()).items, {});
    // The relay goes on: the next publish reaches the client.
    const next = await publish(r.url, { topic: 'p', key: 'ok', op: 'upsert', data: { fine: true } });
    assert.equal(next.status, 200);
    await s.waitFor(() => s.changes().length === 1, 5000, 'the next change');
    assert.deepEqual(s.changes()[0].data, { fine: true });
  });

  test('a value at the depth limit passes; one level more does not', async () => {
    const r = await relay({ MAX_VALUE_DEPTH: 8 });
    assert.equal((await publish(r.url, { topic: 'p', key: 'a', op: 'upsert', data: deep(8) })).status, 200);
    const res = await publish(r.url, { topic: 'p', key: 'a', op: 'upsert', data: { x: deep(8) } });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^event\.data nests .* more than 8 levels deep \(MAX_VALUE_DEPTH\)/);
  });

  test('a value larger than MAX_VALUE_BYTES: 400 naming the limit and the size', async () => {
    const r = await relay({ MAX_VALUE_BYTES: 1000 });
    const res = await publish(r.url, [
      { topic: 'p', key: 'a', op: 'upsert', data: 'x' },
      { topic: 'p', key: 'b', op: 'append', data: 'y'.repeat(1000) },
    ]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'value_too_large');
    assert.match(res.body.error.message, /events\[1\]\.data is 1002 bytes of JSON, more than 1000 \(MAX_VALUE_BYTES\)/);
    assert.equal(await r.ctx.bus.lastId(), null);
  });

  test('a batch longer than the retained log: 413 naming HISTORY_SIZE, nothing stored', async () => {
    const r = await relay({ HISTORY_SIZE: 100 });
    const batch = Array.from({ length: 101 }, (_, i) => ({ topic: 'p', key: `k${i}`, op: 'upsert', data: i }));
    const res = await publish(r.url, batch);
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'batch_too_large');
    assert.match(res.body.error.message, /101 events, more than the log retains \(HISTORY_SIZE=100\)/);
    assert.equal(await r.ctx.bus.lastId(), null);
    assert.equal((await publish(r.url, batch.slice(0, 100))).status, 200);
  });

  test('the Sequin webhook applies the same limits', async () => {
    const secret = 'sequin-secret-0123456789';
    const r = await relay({ SEQUIN_WEBHOOK_SECRET: secret });
    const msg = (record: string) =>
      `{"record":${record},"changes":null,"action":"insert","metadata":{"table_name":"rows","idempotency_key":"i-${Math.random()}"}}`;
    const body = `{"data":[${msg('{"id":"ok"}')},${msg(`{"id":"deep","v":${deepJson(6000)}}`)}]}`;
    const res = await fetch(`${r.url}/v1/webhooks/sequin`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body });
    const json = await res.json();
    assert.equal(res.status, 400, JSON.stringify(json));
    assert.equal(json.error.code, 'value_too_deep');
    assert.match(json.error.message, /data\[1\]\.record nests .*MAX_VALUE_DEPTH/);
    assert.equal(await r.ctx.bus.lastId(), null);
  });

  test('the bus encodes before it stores: a value that cannot be encoded fails its whole append and changes nothing', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    await assert.rejects(
      bus.append([
        { topic: 'p', key: 'a', op: 'upsert', data: 1 },
        { topic: 'p', key: 'b', op: 'upsert', data: { n: 1n } },
      ]),
      /cannot be encoded as JSON.*nothing was appended/,
    );
    assert.equal(await bus.lastId(), null);
    assert.deepEqual((await bus.snapshot('p')).items, {});
  });

  test('MAX_VALUE_DEPTH, MAX_VALUE_BYTES and MAX_SELECTORS are validated at start', () => {
    assert.deepEqual(
      [loadConfig({}).MAX_VALUE_DEPTH, loadConfig({}).MAX_VALUE_BYTES, loadConfig({}).MAX_SELECTORS],
      [64, 262_144, 100],
    );
    assert.throws(() => loadConfig({ MAX_VALUE_DEPTH: '5000' }), (e: Error) => e instanceof ConfigError && /MAX_VALUE_DEPTH="5000": must be at most 1000/.test(e.message));
    assert.throws(() => loadConfig({ MAX_VALUE_BYTES: 'lots' }), /MAX_VALUE_BYTES="lots": must be a whole number/);
    assert.throws(() => loadConfig({ MAX_SELECTORS: '0' }), /MAX_SELECTORS="0": must be at least 1/);
  });
});

describe('one failure in a batch harms nothing else', () => {
  /** A response stand-in that records writes, or throws on write. */
  const fakeRes = (throws: boolean) => {
    const written: string[] = [];
    return {
      written,
      writableLength: 0,
      destroyed: false,
      write(text: string) {
        if (throws) throw new Error('socket exploded');
        written.push(text);
        return true;
      },
      destroy() {
        this.destroyed = true;
      },
      end() {},
    };
  };
  const env = (id: string, key: string, data: unknown): Envelope => ({ id, topic: 'p', key, op: 'upsert', data, time: new Date(0).toISOString() });

  test('an event that cannot be encoded and a client whose write throws: the other clients get the other events', () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    let listener: ((events: readonly Envelope[]) => void) | undefined;
    bus.subscribe = (l) => {
      listener = l;
      return () => {};
    };
    const hub = new ClientHub(bus, testConfig(), new Metrics(), pino({ level: 'silent' }));
    const broken = fakeRes(true);
    const a = fakeRes(false);
    const b = fakeRes(false);
    const clients = [broken, a, b].map((res, i) => {
      const c = new SseClient(`c${i}`, `id${i}`, [{ topic: 'p' }], res as never);
      hub.add(c);
      hub.goLive(c, null);
      return c;
    });
    const poisoned = env('1-1', 'bad', {
      toJSON() {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    listener!([env('1-0', 'first', 1), poisoned, env('1-2', 'last', 2)]);
    for (const res of [a, b]) {
      const text = res.written.join('');
      assert.match(text, /"key":"first"/);
      assert.match(text, /"key":"last"/);
      assert.doesNotMatch(text, /"key":"bad"/);
    }
    assert.equal(broken.destroyed, true, 'the client whose write failed is disconnected (it resumes by id)');
    assert.equal(hub.size, 2);
    for (const c of clients) hub.remove(c);
    hub.close();
  });
});
