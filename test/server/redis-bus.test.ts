import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { applyEvent, ORIGIN_ID, compareIds } from '../../src/core/wire.js';
import type { Envelope } from '../../src/core/wire.js';
import { BusUnavailableError, type AppendInput } from '../../server/bus/bus.js';
import { RedisBus, type RedisBusOptions } from '../../server/bus/redis-bus.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { busListenerCount } from '../helpers/internals.js';

// The Redis-specific behaviour of RedisBus against a private redis-server: state semantics spliced as
// raw JSON, trimming and its floor, several buses on one Redis. Outages are in redis-bus-outage.test.ts.

let redis: PrivateRedis;
let admin: Redis;
const buses: RedisBus[] = [];
let prefixSeq = 0;

async function bus(overrides: Partial<RedisBusOptions> = {}): Promise<RedisBus> {
  const b = await RedisBus.connect({ url: redis.url, prefix: `t${prefixSeq++}:`, historySize: 1000, listLimit: 3, dedupeTtlMs: 60_000, ...overrides });
  buses.push(b);
  assert.equal(b.isReady(), true, 'bus should be ready against a running redis-server');
  return b;
}

before(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});

after(async () => {
  for (const b of buses) await b.close();
  admin.disconnect();
  await redis.stop();
});

describe('RedisBus', () => {
  test('append gives strictly increasing ids and subscribers see every batch, in order, before append resolves', async () => {
    const b = await bus();
    const seen: Envelope[][] = [];
    const off = b.subscribe((events) => seen.push([...events]));
    const r1 = await b.append([{ topic: 'prices', key: 'a', op: 'upsert', data: { high: 1 } }]);
    const r2 = await b.append([
      { topic: 'prices', key: 'b', op: 'upsert', data: { high: 2 } },
      { topic: 'prices', key: 'a', op: 'delete' },
    ]);
    off();
    const ids = [...r1.events, ...r2.events].map((e) => e.id);
    for (let i = 1; i < ids.length; i++) assert.ok(compareIds(ids[i - 1], ids[i]) < 0, `${ids[i - 1]} < ${ids[i]}`);
    assert.deepEqual(seen.flat().map((e) => e.id), ids);
    assert.deepEqual(seen.flat().map((e) => e.data), [{ high: 1 }, { high: 2 }, undefined]);
    assert.equal(seen.flat()[2].op, 'delete');
    assert.match(seen[0][0].time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(await b.lastId(), ids[2]);
  });

  test('state follows applyEvent exactly, keeping numbers, empty arrays and untouched fields as published', async () => {
    const b = await bus({ listLimit: 3 });
    const model = new Map<string, unknown>();
    const events: AppendInput[] = [
      { topic: 's', key: 'x', op: 'upsert', data: { precise: 0.30000000000000004, big: 12345678901234567, tags: [], nested: { a: [1, { b: '}"]' }] } } },
      { topic: 's', key: 'x', op: 'patch', data: { precise: 1.2345678901234567, added: 'quote " and \\ backslash', 'key "q"': {} } },
      { topic: 's', key: 'y', op: 'patch', data: { fresh: true } },
      { topic: 's', key: 'l', op: 'append', data: { id: 1, t: 'a,b]' } },
      { topic: 's', key: 'l', op: 'append', data: [2] },
      { topic: 's', key: 'l', op: 'append', data: 'three' },
      { topic: 's', key: 'l', op: 'append', data: null },
      { topic: 's', key: 'm', op: 'append', data: 1 },
      { topic: 's', key: 'm', op: 'append', data: 2 },
      { topic: 's', key: 'm', op: 'upsert', data: [] },
      { topic: 's', key: 'm', op: 'append', data: 'after empty' },
      { topic: 's', key: 'm', op: 'upsert', data: [1, [2, 3], { four: 4 }, '5', 6] },
      { topic: 's', key: 'm', op: 'append', data: 7 },
      { topic: 's', key: 'm', op: 'append', data: 8 },
      { topic: 's', key: 'm', op: 'patch', data: { was: 'a list' } },
      { topic: 's', key: 'm', op: 'append', data: 9 },
      { topic: 's', key: 'm', op: 'delete' },
      { topic: 's', key: 'm', op: 'append', data: 10 },
      { topic: 's', key: 'n', op: 'upsert', data: 42 },
      { topic: 's', key: 'n', op: 'patch', data: { now: 'object' } },
      { topic: 's', key: 'n', op: 'append', data: 1 },
      { topic: 's', key: 'gone', op: 'upsert', data: 'x' },
      { topic: 's', key: 'gone', op: 'delete' },
      { topic: 's', key: 'é/ü', op: 'upsert', data: { 'ключ': 'значение' } },
      { topic: 's', key: 'é/ü', op: 'patch', data: { 'ключ': 'новое', '\u00e9': 1 } },
    ];
    for (const [i, e] of events.entries()) {
      await b.append([e]);
      applyEvent(model, e, 3);
      assert.deepEqual((await b.snapshot('s', [e.key])).items, Object.fromEntries([...model].filter(([k]) => k === e.key)), `after event ${i} (${e.op} ${e.key})`);
    }
    const snap = await b.snapshot('s');
    assert.deepEqual(snap.items, Object.fromEntries(model));
    assert.deepEqual(snap.items.l, [[2], 'three', null], 'append keeps the newest listLimit items');
  });

  test('a patch that sets a field to undefined removes it, as JSON of {...prev, ...patch} would', async () => {
    const b = await bus();
    await b.append([{ topic: 'u', key: 'k', op: 'upsert', data: { a: 1, b: 2 } }]);
    await b.append([{ topic: 'u', key: 'k', op: 'patch', data: { a: undefined, c: 3 } }]);
    assert.deepEqual((await b.snapshot('u')).items.k, { b: 2, c: 3 });
  });

  test('snapshot narrows to keys and names the last event it includes', async () => {
    const b = await bus();
    assert.deepEqual(await b.snapshot('empty'), { topic: 'empty', lastEventId: null, items: {} });
    const { events } = await b.append([
      { topic: 't', key: 'a', op: 'upsert', data: 1 },
      { topic: 't', key: 'b', op: 'upsert', data: 2 },
      { topic: 't', key: 'c', op: 'upsert', data: 3 },
    ]);
    const snap = await b.snapshot('t', ['a', 'c', 'missing']);
    assert.deepEqual(snap, { topic: 't', lastEventId: events[2].id, items: { a: 1, c: 3 } });
  });

  test('snapshot and its lastEventId are read atomically while other buses append', async () => {
    const writer = await bus();
    const reader = await RedisBus.connect({ url: redis.url, prefix: (writer as unknown as { prefix: string }).prefix, historySize: 1000, listLimit: 3, dedupeTtlMs: 60_000 });
    buses.push(reader);
    let stop = false;
    const writing = (async () => {
      for (let i = 0; !stop; i++) await writer.append([{ topic: 'c', key: `k${i % 5}`, op: i % 7 === 0 ? 'delete' : 'append', data: i }]);
    })();
    try {
      for (let round = 0; round < 20; round++) {
        const snap = await reader.snapshot('c');
        if (snap.lastEventId === null) continue;
        const log = await reader.readSince(ORIGIN_ID, [{ topic: 'c' }]);
        assert.ok(log.ok);
        const model = new Map<string, unknown>();
        for (const e of log.events) if (compareIds(e.id, snap.lastEventId) <= 0) applyEvent(model, e, 3);
        assert.deepEqual(snap.items, Object.fromEntries(model), `snapshot at ${snap.lastEventId} equals the log replayed to it`);
      }
    } finally {
      stop = true;
      await writing;
    }
  });

  test('readSince: ok from the origin, from a retained id and from the floor; expired before it; epoch for ids it never issued', async () => {
    const b = await bus({ historySize: 5 });
    assert.deepEqual(await b.readSince(ORIGIN_ID, [{ topic: 'r' }]), { ok: true, events: [] });
    assert.deepEqual(await b.readSince('5-0', [{ topic: 'r' }]), { ok: false, reason: 'epoch' }, 'an id on an empty log');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(...(await b.append([{ topic: i % 2 ? 'r' : 'other', key: `k${i}`, op: 'upsert', data: i }])).events.map((e) => e.id));

    const all = await b.readSince(ORIGIN_ID, [{ topic: 'r' }, { topic: 'other', key: 'k4' }]);
    assert.ok(all.ok);
    assert.deepEqual(all.events.map((e) => e.key), ['k1', 'k3', 'k4'], 'only the selected topics and keys, in order');
    const fromSecond = await b.readSince(ids[1], [{ topic: 'r' }, { topic: 'other' }]);
    assert.ok(fromSecond.ok);
    assert.deepEqual(fromSecond.events.map((e) => e.id), ids.slice(2), 'strictly after the id');

    const [ms, seq] = ids[4].split('-').map(Number);
    assert.deepEqual(await b.readSince(`${ms + 60_000}-0`, [{ topic: 'r' }]), { ok: false, reason: 'epoch' }, 'newer than the log');
    assert.deepEqual(await b.readSince(`${ms}-${seq + 1}`, [{ topic: 'r' }]), { ok: false, reason: 'epoch' }, 'just after the last id');

    ids.push(...(await b.append([0, 1, 2].map((i) => ({ topic: 'r', key: `n${i}`, op: 'upsert' as const, data: i })))).events.map((e) => e.id));
    // 8 events, 5 kept: ids[0..2] trimmed, ids[2] is the floor.
    assert.deepEqual(await b.readSince(ORIGIN_ID, [{ topic: 'r' }]), { ok: false, reason: 'expired' });
    assert.deepEqual(await b.readSince(ids[1], [{ topic: 'r' }]), { ok: false, reason: 'expired' });
    const fromFloor = await b.readSince(ids[2], [{ topic: 'r' }, { topic: 'other' }]);
    assert.ok(fromFloor.ok, 'the newest trimmed id still proves nothing is missing after it');
    assert.deepEqual(fromFloor.events.map((e) => e.id), ids.slice(3));
    const [fm, fs] = ids[2].split('-').map(Number);
    const between = compareIds(`${fm}-${fs + 1}`, ids[3]) < 0 ? `${fm}-${fs + 1}` : null;
    if (between) assert.deepEqual(await b.readSince(between, [{ topic: 'r' }]), { ok: false, reason: 'epoch' }, 'between floor and first retained');
    assert.deepEqual(await b.readSince('not-an-id', [{ topic: 'r' }]), { ok: false, reason: 'epoch' });
  });

  test('the log is trimmed in steps but never holds more than historySize plus 10%', async () => {
    const b = await bus({ historySize: 50 });
    for (let i = 0; i < 12; i++) await b.append(Array.from({ length: 10 }, (_, j) => ({ topic: 'tr', key: `k${j}`, op: 'upsert' as const, data: i })));
    const len = await admin.xlen(`${(b as unknown as { prefix: string }).prefix}log`);
    assert.ok(len >= 50 && len <= 55, `log length ${len} within [50, 55]`);
    assert.deepEqual((await b.snapshot('tr')).items.k9, 11, 'trimming never touches the state');
  });

  test('dedupe keys: a repeat is skipped and counted, within a batch and across batches, until the TTL ends', async () => {
    const b = await bus({ dedupeTtlMs: 300 });
    const seen: string[] = [];
    b.subscribe((events) => seen.push(...events.map((e) => e.key)));
    const first = await b.append([
      { topic: 'd', key: 'a', op: 'upsert', data: 1, dedupeKey: 'msg-1' },
      { topic: 'd', key: 'b', op: 'upsert', data: 2, dedupeKey: 'msg-1' },
      { topic: 'd', key: 'c', op: 'upsert', data: 3 },
    ]);
    assert.equal(first.duplicates, 1);
    assert.deepEqual(first.events.map((e) => e.key), ['a', 'c']);
    const again = await b.append([{ topic: 'd', key: 'a', op: 'upsert', data: 9, dedupeKey: 'msg-1' }]);
    assert.deepEqual(again, { events: [], duplicates: 1 });
    assert.deepEqual((await b.snapshot('d')).items, { a: 1, c: 3 }, 'a skipped input changes no state');
    await new Promise((r) => setTimeout(r, 400));
    const later = await b.append([{ topic: 'd', key: 'a', op: 'upsert', data: 10, dedupeKey: 'msg-1' }]);
    assert.equal(later.duplicates, 0);
    assert.deepEqual(seen, ['a', 'c', 'a']);
  });

  test('two buses on one Redis deliver the same events with the same ids in the same order', async () => {
    const one = await bus();
    const prefix = (one as unknown as { prefix: string }).prefix;
    const two = await RedisBus.connect({ url: redis.url, prefix, historySize: 1000, listLimit: 3, dedupeTtlMs: 60_000 });
    buses.push(two);
    const seenOne: string[] = [];
    const seenTwo: string[] = [];
    one.subscribe((events) => seenOne.push(...events.map((e) => `${e.id}:${e.key}`)));
    two.subscribe((events) => seenTwo.push(...events.map((e) => `${e.id}:${e.key}`)));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).append([{ topic: 'm', key: `k${i}`, op: 'upsert', data: i }])),
    );
    const deadline = Date.now() + 5000;
    while ((seenOne.length < 20 || seenTwo.length < 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(seenOne.length, 20);
    assert.deepEqual(seenTwo, seenOne);
    const ids = seenOne.map((s) => s.split(':')[0]);
    assert.deepEqual([...ids].sort(compareIds), ids, 'in id order');
  });

  test('a position read from the log is never delivered later: reads wait for the local tail to pass it', async () => {
    const writer = await bus();
    const prefix = (writer as unknown as { prefix: string }).prefix;
    // The reader's tail lags 100 ms behind its command connection, as under load.
    const proxy = await startTcpProxy(redis.port);
    proxy.delayReplies('live-relay:tail', 100);
    const reader = await RedisBus.connect({ url: `redis://127.0.0.1:${proxy.port}`, prefix, historySize: 1000, listLimit: 3, dedupeTtlMs: 60_000 });
    try {
      let delivered: string | null = null;
      reader.subscribe((events) => (delivered = events[events.length - 1].id));
      const behind = (id: string | null) => id !== null && (delivered === null || compareIds(delivered, id) < 0);
      for (let i = 0; i < 3; i++) {
        const { events } = await writer.append([{ topic: 'w', key: 'k', op: 'upsert', data: i }]);
        const read = await reader.readSince(ORIGIN_ID, [{ topic: 'w' }]);
        assert.ok(read.ok);
        assert.ok(!behind(read.events.at(-1)!.id), `readSince returned ${read.events.at(-1)!.id} before the tail delivered it`);
        await writer.append([{ topic: 'w', key: 'k', op: 'upsert', data: -i }]);
        const last = await reader.lastId();
        assert.ok(!behind(last), `lastId returned ${last} before the tail delivered it`);
        await writer.append([{ topic: 'w', key: 'k', op: 'upsert', data: i }]);
        const snap = await reader.snapshot('w');
        assert.ok(!behind(snap.lastEventId), `snapshot at ${snap.lastEventId} before the tail delivered it`);
        await writer.append([{ topic: 'w', key: 'k', op: 'upsert', data: -i }]);
        const since = await reader.readSince(events[0].id, [{ topic: 'nothing' }]);
        assert.ok(since.ok && since.events.length === 0);
        assert.ok(!behind(events[0].id), 'readSince waited for the tail to pass the id it resumed after');
      }
    } finally {
      await reader.close();
      await proxy.close();
    }
  });

  test('buses with different prefixes share a Redis without seeing each other', async () => {
    const a = await bus();
    const b = await bus();
    await a.append([{ topic: 'p', key: 'k', op: 'upsert', data: 'a' }]);
    assert.deepEqual((await b.snapshot('p')).items, {});
    assert.equal(await b.lastId(), null);
  });

  test('a closed bus rejects calls with BusUnavailableError and releases its listeners', async () => {
    const b = await bus();
    b.subscribe(() => {});
    await b.close();
    assert.equal(b.isReady(), false);
    assert.equal(busListenerCount(b), 0);
    await assert.rejects(b.append([{ topic: 'x', key: 'k', op: 'delete' }]), BusUnavailableError);
  });
});
