import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, compareIds, parseSelector, selectorMatches, type Envelope } from '../../src/core/wire.js';
import type { Bus } from '../../server/bus/bus.js';
import type { Config } from '../../server/config.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { buses, TEST_BUS_OPTIONS, type BusMaker } from '../helpers/buses.js';
import { startRedis } from '../helpers/redis-server.js';
import { openStream, publish, startRelay, type Frame, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';

/*
 * `snapshot=` on the stream request: each named selection's state arrives as a `snapshot` frame
 * (items and the log position they stand at) before any of its events, read after the stream is
 * subscribed, so that the snapshot plus the events after its position is the selection's whole
 * history: nothing lost, nothing applied twice, on the memory bus and on Redis with several relays.
 */

/** Everything the tests open, closed once at the end (also on failure). */
const relays: InProcessRelay[] = [];
const streams: TestStream[] = [];
const teardowns: Array<() => Promise<void>> = [];
after(async () => {
  for (const s of streams) s.close();
  for (const r of relays) await r.close();
  for (const t of teardowns) await t();
});

/** A relay in this process on `bus` (a memory bus by default), with room for the hammer's streams. */
async function relayOn(bus?: Bus, config: Partial<Config> = {}): Promise<InProcessRelay> {
  const r = await startRelay({ config: { MAX_CLIENTS_PER_IDENTITY: 1000, ...config }, bus });
  relays.push(r);
  return r;
}

/** Opens a stream that the end of the file closes. */
async function open(r: InProcessRelay, options: Parameters<typeof openStream>[1]): Promise<TestStream> {
  const s = await openStream(r.url, options);
  streams.push(s);
  return s;
}

/** The state a client builds for `selector` from a stream: its snapshot frame, then the events after the snapshot's position. */
function replayed(s: TestStream, selector: string): { at: string | null; items: Record<string, unknown>; applied: string[] } {
  const sel = parseSelector(selector);
  const i = s.frames.findIndex((f) => f.event === 'snapshot' && f.json.selector === selector);
  assert.ok(i >= 0, `no snapshot frame for ${selector}: ${summary(s.frames)}`);
  const first = s.frames.findIndex((f) => f.event === 'change' && selectorMatches(sel, f.json.topic, f.json.key));
  assert.ok(first < 0 || first > i, `an event of ${selector} came before its snapshot: ${summary(s.frames)}`);
  const snap = s.frames[i].json;
  const items = new Map<string, unknown>(Object.entries(snap.items));
  const applied: string[] = [];
  for (const f of s.frames.slice(i + 1)) {
    if (f.event !== 'change') continue;
    const e = f.json as Envelope;
    if (!selectorMatches(sel, e.topic, e.key) || (snap.lastEventId !== null && compareIds(e.id, snap.lastEventId) <= 0)) continue;
    applied.push(e.id);
    applyEvent(items, e, TEST_BUS_OPTIONS.listLimit);
  }
  return { at: snap.lastEventId, items: Object.fromEntries(items), applied };
}

function summary(frames: Frame[]): string {
  return frames.map((f) => (f.event === 'snapshot' ? `snapshot(${f.json.selector}@${f.json.lastEventId})` : `${f.event}${f.id ? `#${f.id}` : ''}`)).join(', ').slice(0, 800);
}

const snapshotsOf = (s: TestStream) => s.frames.filter((f) => f.event === 'snapshot').map((f) => f.json);

/** A memory bus whose reads wait a few ms on both sides of looking at the log, as a store across a network would. */
class SlowBus extends MemoryBus {
  override lastId() {
    return slowly(() => super.lastId());
  }
  override readSince(afterId: string, selectors: Parameters<Bus['readSince']>[1]) {
    return slowly(() => super.readSince(afterId, selectors));
  }
  override snapshot(topic: string, keys?: readonly string[]) {
    return slowly(() => super.snapshot(topic, keys));
  }
}
async function slowly<T>(read: () => Promise<T>): Promise<T> {
  const pause = () => new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 5)));
  await pause();
  const value = await read();
  await pause();
  return value;
}

/** How each hammered stream is opened, and the selections it asks snapshots of. */
const KINDS = [
  { topics: 'a,b/k1', snapshot: ['a', 'b/k1'] },
  { topics: 'b', snapshot: ['b/k2'] },
  { topics: 'a,b', snapshot: ['a', 'b'] },
];

/**
 * Streams open with `snapshot=` while two publishers write to their topics (through `publishTo`,
 * possibly another relay on the same log). For every stream and selection: the snapshot frame
 * comes before the selection's events, its position is at or after the stream's, the events
 * after it are exactly the published ones after it (none lost, none twice), and applying them on
 * the snapshot gives the bus's final state.
 */
async function hammer(streamsOn: InProcessRelay, publishTo: InProcessRelay): Promise<void> {
  const published: Envelope[] = [];
  let stop = false;
  let n = 0;
  const ops = ['upsert', 'patch', 'append', 'delete'] as const;
  const publisher = async (w: number) => {
    while (!stop) {
      const batch = Array.from({ length: 1 + (n % 3) }, (_, i) => {
        const m = n++;
        const op = ops[m % 4];
        return { topic: (m + i) % 2 ? 'b' : 'a', key: `k${m % 5}`, op, data: op === 'delete' ? undefined : { w, m } };
      });
      const r = await publish(publishTo.url, batch);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      batch.forEach((e, i) => published.push({ ...e, id: r.body.ids[i], time: '' } as Envelope));
    }
  };
  for (let i = 0; i < 10; i++) await publish(publishTo.url, [{ topic: 'a', key: `k${i % 5}`, op: 'upsert', data: i }, { topic: 'b', key: `k${i % 5}`, op: 'upsert', data: i }]);
  const publishers = [publisher(0), publisher(1)];
  const hammered: { s: TestStream; snapshot: string[] }[] = [];
  for (let i = 0; i < 36; i++) {
    const kind = KINDS[i % KINDS.length];
    const s = await open(streamsOn, { topics: kind.topics, query: { snapshot: kind.snapshot.join(',') } });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    hammered.push({ s, snapshot: kind.snapshot });
    await new Promise((r) => setTimeout(r, i % 4));
  }
  stop = true;
  await Promise.all(publishers);
  // A last event on every selection: once a stream has it, it has everything before it.
  const fence = ['a/k1', 'b/k1', 'b/k2'].map((s) => ({ ...parseSelector(s), op: 'upsert', data: 'fence' }) as Envelope);
  const fenced = await publish(publishTo.url, fence);
  assert.equal(fenced.status, 200);
  fence.forEach((e, i) => published.push(Object.assign(e, { id: fenced.body.ids[i] })));
  published.sort((x, y) => compareIds(x.id, y.id));
  const bus = streamsOn.ctx.bus;
  for (const { s, snapshot } of hammered) {
    const awaited = fence.filter((e) => snapshot.some((sel) => selectorMatches(parseSelector(sel), e.topic, e.key))).map((e) => e.id);
    await s.waitFor((f) => awaited.every((id) => f.some((x) => x.id === id)), 15_000, 'the fence events');
    const connected = s.frames[0];
    assert.equal(connected.event, 'connected');
    assert.deepEqual(
      s.frames.slice(1, 1 + snapshot.length).map((f) => f.event === 'snapshot' && f.json.selector),
      snapshot,
      `the snapshot frames right after connected: ${summary(s.frames)}`,
    );
    for (const selector of snapshot) {
      const sel = parseSelector(selector);
      const got = replayed(s, selector);
      if (got.at !== null) assert.ok(compareIds(got.at, connected.json.lastEventId) >= 0, `${selector}'s snapshot at ${got.at} is before the stream's position ${connected.json.lastEventId}`);
      const expected = published.filter((e) => selectorMatches(sel, e.topic, e.key) && (got.at === null || compareIds(e.id, got.at) > 0)).map((e) => e.id);
      assert.deepEqual(got.applied, expected, `${selector}: the events after its snapshot, once each`);
      const final = await bus.snapshot(sel.topic, sel.key === undefined ? undefined : [sel.key]);
      assert.deepEqual(got.items, final.items, `${selector}: snapshot plus events equals the bus's state`);
    }
  }
}

for (const harness of buses) {
  describe(`stream snapshots (${harness.name} bus)`, () => {
    let maker: BusMaker;
    before(async () => {
      maker = await harness.setup();
      teardowns.push(() => maker.teardown());
    });
    const relay = async (bus?: Bus, config: Partial<Config> = {}) => relayOn(bus ?? (await maker.create()), config);
    const stream = async (r: InProcessRelay, options: Parameters<typeof openStream>[1]) => {
      const s = await open(r, options);
      assert.equal(s.status, 200, JSON.stringify(s.body));
      return s;
    };

    test('each named selection gets one snapshot frame after connected and before any event: its items and position', async () => {
      const r = await relay();
      await publish(r.url, [
        { topic: 'prices', key: 'x', op: 'upsert', data: { p: 1 } },
        { topic: 'prices', key: 'y', op: 'upsert', data: { p: 2 } },
        { topic: 'services', key: 'api-1', op: 'upsert', data: { up: true } },
        { topic: 'services', key: 'api-2', op: 'upsert', data: { up: false } },
      ]);
      const head = (await r.ctx.bus.lastId())!;
      // `services/api-1` under the whole topic the stream carries; `prices` named twice counts once.
      const s = await stream(r, { topics: 'prices,services,empty', query: { snapshot: 'prices,services/api-1,empty,prices' } });
      await s.waitFor((f) => f.filter((x) => x.event === 'snapshot').length === 3, 5000, 'three snapshots');
      assert.deepEqual(
        s.frames.map((f) => f.event),
        ['connected', 'snapshot', 'snapshot', 'snapshot'],
      );
      assert.deepEqual(snapshotsOf(s), [
        { selector: 'prices', lastEventId: head, items: { x: { p: 1 }, y: { p: 2 } } },
        { selector: 'services/api-1', lastEventId: head, items: { 'api-1': { up: true } } },
        { selector: 'empty', lastEventId: head, items: {} },
      ]);
      // No id: a snapshot does not move the stream's resume position.
      assert.ok(s.frames.filter((f) => f.event === 'snapshot').every((f) => f.id === undefined));
      const next = await publish(r.url, { topic: 'services', key: 'api-1', op: 'patch', data: { up: false } });
      await s.waitFor((f) => f.some((x) => x.event === 'change'), 5000, 'the live event');
      assert.deepEqual(s.changes().map((e) => e.id), next.body.ids);
    });

    test('on an empty log a snapshot stands at no position (null) and every later event follows it', async () => {
      const r = await relay();
      const s = await stream(r, { topics: 'fresh', query: { snapshot: 'fresh' } });
      await s.waitFor((f) => f.some((x) => x.event === 'snapshot'), 5000, 'the snapshot');
      assert.deepEqual(snapshotsOf(s), [{ selector: 'fresh', lastEventId: null, items: {} }]);
      await publish(r.url, { topic: 'fresh', key: 'k', op: 'upsert', data: 1 });
      await s.waitFor((f) => f.some((x) => x.event === 'change'), 5000, 'the event');
      assert.deepEqual(replayed(s, 'fresh').items, { k: 1 });
    });

    test('hammer: streams opening while publishers write lose and double nothing on their snapshots', async () => {
      const r = await relay(await maker.create({ historySize: 100_000 }));
      await hammer(r, r);
    });

    test('resume with Last-Event-ID plus a new snapshot selection: the old selection replays from its position, the new one starts from its snapshot', async () => {
      const r = await relay();
      await publish(r.url, [
        { topic: 'a', key: 'x', op: 'upsert', data: 1 },
        { topic: 'b', key: 'y', op: 'upsert', data: 1 },
      ]);
      const first = await stream(r, { topics: 'a', query: { snapshot: 'a' } });
      await first.waitFor((f) => f.some((x) => x.event === 'snapshot'), 5000, 'the first snapshot');
      await publish(r.url, [
        { topic: 'a', key: 'x', op: 'upsert', data: 2 },
        { topic: 'b', key: 'y', op: 'upsert', data: 2 },
      ]);
      await first.waitFor((f) => f.some((x) => x.event === 'change'), 5000, 'the first event');
      first.close();
      const position = first.changes().at(-1).id as string;
      // Published while the client was away: `a`'s must come by replay, `b`'s are in its snapshot.
      const away = await publish(r.url, [
        { topic: 'a', key: 'x', op: 'upsert', data: 3 },
        { topic: 'b', key: 'y', op: 'upsert', data: 3 },
      ]);
      const second = await stream(r, { topics: 'a,b', lastEventId: position, query: { snapshot: 'b' } });
      await second.waitFor((f) => f.some((x) => x.event === 'change' && x.id === away.body.ids[0]), 5000, "a's event from the replay");
      assert.equal(second.frames[0].event, 'connected');
      assert.equal(second.frames[0].json.lastEventId, position);
      assert.equal(second.frames[1].event, 'snapshot');
      assert.ok(!second.frames.some((f) => f.event === 'reset'));
      const b = replayed(second, 'b');
      assert.deepEqual(b.items, { y: 3 });
      assert.ok(compareIds(b.at!, away.body.ids[1]) >= 0, 'the snapshot stands after the events published while away');
      assert.deepEqual(
        second.changes().filter((e) => e.topic === 'a').map((e) => e.data),
        [3],
        "every event of a after the resume position, once",
      );
      const live = await publish(r.url, [
        { topic: 'a', key: 'x', op: 'upsert', data: 4 },
        { topic: 'b', key: 'y', op: 'upsert', data: 4 },
      ]);
      await second.waitFor((f) => f.some((x) => x.id === live.body.ids[1]), 5000, 'the live events');
      assert.deepEqual(replayed(second, 'b').items, { y: 4 });
      assert.deepEqual(second.changes().filter((e) => e.topic === 'a').map((e) => e.data), [3, 4]);
    });

    test('a large snapshot is written at the reader\'s pace: the stream is not evicted for it and the live events follow', async () => {
      // Every snapshot read appends an event of its topic, so one is always waiting when the stream goes live.
      let fill = 0;
      class BusyBus extends MemoryBus {
        override async snapshot(topic: string, keys?: readonly string[]) {
          const snap = await super.snapshot(topic, keys);
          await this.append([{ topic, key: 'during', op: 'upsert', data: ++fill }]);
          return snap;
        }
      }
      const r = await relay(harness.name === 'memory' ? new BusyBus(TEST_BUS_OPTIONS) : undefined, { MAX_BUFFERED_BYTES: 64 * 1024 });
      const big = 'x'.repeat(20_000);
      for (let i = 0; i < 3; i++) {
        const res = await publish(r.url, Array.from({ length: 10 }, (_, k) => ({ topic: 'big', key: `k${i * 10 + k}`, op: 'upsert', data: big })));
        assert.equal(res.status, 200);
      }
      const s = await stream(r, { topics: 'big', query: { snapshot: 'big' } });
      await s.waitFor((f) => f.some((x) => x.event === 'snapshot'), 10_000, 'the snapshot');
      assert.equal(Object.keys(snapshotsOf(s)[0].items).length, 30);
      const live = await publish(r.url, { topic: 'big', key: 'after', op: 'upsert', data: 1 });
      await s.waitFor((f) => f.some((x) => x.id === live.body.ids[0]), 10_000, 'the live event');
      assert.equal(await r.ctx.metrics.clientsEvicted.get().then((m) => m.values[0]?.value ?? 0), 0);
      assert.equal(replayed(s, 'big').items.after, 1);
    });
  });
}

test('hammer on a memory bus with slow reads: events published between the stream\'s position and each snapshot are neither lost nor applied twice', async () => {
  const r = await relayOn(new SlowBus({ ...TEST_BUS_OPTIONS, historySize: 100_000 }));
  await hammer(r, r);
});

test('hammer on two relays sharing one Redis: streams on one, publishers on the other; each snapshot plus the events after it is the whole history', async () => {
  const redis = await startRedis();
  teardowns.push(() => redis.stop());
  const shared = () => RedisBus.connect({ ...TEST_BUS_OPTIONS, historySize: 100_000, url: redis.url, prefix: 'shared:' });
  const publishing = await relayOn(await shared());
  await hammer(await relayOn(await shared()), publishing);
});

describe('stream snapshots: resets, authorization and limits', () => {
  const relay = (config: Partial<Config> = {}) => relayOn(undefined, config);

  test('resuming from a position the log no longer holds: reset for every topic, then the snapshots, which stand at the head', async () => {
    const r = await relay({ HISTORY_SIZE: 5 });
    const first = await publish(r.url, [
      { topic: 'a', key: 'k', op: 'upsert', data: 0 },
      { topic: 'b', key: 'k', op: 'upsert', data: 0 },
    ]);
    const stale = first.body.ids[1] as string;
    // More events than the log keeps (one by one: a batch larger than the log is refused).
    for (let i = 0; i < 10; i++) assert.equal((await publish(r.url, { topic: i % 2 ? 'a' : 'b', key: 'k', op: 'upsert', data: i + 1 })).status, 200);
    const head = (await r.ctx.bus.lastId())!;
    const s = await open(r, { topics: 'a,b', lastEventId: stale, query: { snapshot: 'b' } });
    await s.waitFor((f) => f.some((x) => x.event === 'snapshot'), 5000, 'the snapshot');
    // A client resuming there may have wanted the events in between (a leader tab taking over
    // reports them): they are gone for `b` too, though its state comes whole.
    assert.deepEqual(s.frames.map((f) => f.event), ['connected', 'reset', 'snapshot']);
    assert.equal(s.frames[0].json.lastEventId, head);
    assert.deepEqual(s.frames[1].json, { topics: ['a', 'b'], reason: 'expired', lastEventId: head });
    assert.deepEqual(snapshotsOf(s), [{ selector: 'b', lastEventId: head, items: { k: 9 } }]);
    const live = await publish(r.url, { topic: 'b', key: 'k', op: 'upsert', data: 11 });
    await s.waitFor((f) => f.some((x) => x.id === live.body.ids[0]), 5000, 'the live event');
    assert.deepEqual(replayed(s, 'b').items, { k: 11 });
  });

  test('a selection the token may not read gets no snapshot: the stream is refused as without snapshot=', async () => {
    const r = await relay({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: ['open'] });
    await publish(r.url, [
      { topic: 'secret', key: 'k', op: 'upsert', data: 'hidden' },
      { topic: 'mine', key: 'k', op: 'upsert', data: 'shown' },
      { topic: 'open', key: 'k', op: 'upsert', data: 'public' },
    ]);
    const token = await mintToken({ sub: 'reader', topics: ['mine', 'keyed/one'] });
    const auth = { Authorization: `Bearer ${token}` };

    const denied = await open(r, { topics: 'mine,secret', headers: auth, query: { snapshot: 'mine,secret' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body.error.selectors, ['secret']);
    assert.doesNotMatch(JSON.stringify(denied.body), /hidden/);

    const anonymous = await open(r, { topics: 'open,secret', query: { snapshot: 'open,secret' } });
    assert.equal(anonymous.status, 401);
    assert.doesNotMatch(JSON.stringify(anonymous.body), /hidden/);

    // A whole topic the token grants one key of: refused, though the snapshot asked is that key.
    const wider = await open(r, { topics: 'keyed', headers: auth, query: { snapshot: 'keyed/one' } });
    assert.equal(wider.status, 403);

    const allowed = await open(r, { topics: 'mine,open,keyed/one', headers: auth, query: { snapshot: 'mine,open,keyed/one' } });
    assert.equal(allowed.status, 200);
    await allowed.waitFor((f) => f.filter((x) => x.event === 'snapshot').length === 3, 5000, 'the snapshots');
    assert.deepEqual(snapshotsOf(allowed).map((x) => [x.selector, x.items]), [
      ['mine', { k: 'shown' }],
      ['open', { k: 'public' }],
      ['keyed/one', {}],
    ]);
  });

  test('bad snapshot= lists answer 400 naming the input; at most MAX_SELECTORS snapshots per request', async () => {
    const r = await relay({ MAX_SELECTORS: 3 });
    const cases: Array<[Record<string, string>, number, string, RegExp]> = [
      [{ topics: 'a/k1', snapshot: 'a' }, 400, 'bad_request', /snapshot: "a" is not among the stream's topics/],
      [{ topics: 'a', snapshot: 'b/k' }, 400, 'bad_request', /snapshot: "b\/k" is not among the stream's topics/],
      [{ topics: 'a', snapshot: 'A!' }, 400, 'bad_request', /snapshot: selector "A!"/],
      [{ topics: 'a', snapshot: 'a,,a/k' }, 400, 'bad_request', /snapshot: selector ""/],
      [{ topics: 'a', snapshot: 'a/k1,a/k2,a/k3,a/k4' }, 400, 'too_many_selectors', /snapshot: 4 selectors, more than 3 \(MAX_SELECTORS\)/],
    ];
    for (const [query, status, code, message] of cases) {
      const { topics, ...rest } = query;
      const s = await open(r, { topics, query: rest });
      assert.equal(s.status, status, JSON.stringify(query));
      assert.equal(s.body.error.code, code, JSON.stringify(query));
      assert.match(s.body.error.message, message);
    }
    const twice = await fetch(`${r.url}/v1/events?topics=a&snapshot=a&snapshot=a`);
    assert.equal(twice.status, 400);
    assert.match((await twice.json()).error.message, /snapshot: give it once/);
    // Three distinct (repeats count once) is within the cap.
    const ok = await open(r, { topics: 'a', query: { snapshot: 'a/k1,a/k2,a/k3,a/k1' } });
    assert.equal(ok.status, 200);
    await ok.waitFor((f) => f.filter((x) => x.event === 'snapshot').length === 3, 5000, 'three snapshots');
  });
});
