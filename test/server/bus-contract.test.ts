import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, compareIds, ORIGIN_ID } from '../../src/core/wire.js';
import type { Envelope } from '../../src/core/wire.js';
import type { Bus } from '../../server/bus/bus.js';
import { buses, type BusMaker } from '../helpers/buses.js';
import { waitUntil } from '../helpers/wait.js';

/** The Bus contract, run against every implementation in test/helpers/buses.ts. */
for (const harness of buses) {
  describe(`bus contract: ${harness.name}`, () => {
    let maker: BusMaker;
    const open: Bus[] = [];
    const make = async (options?: Parameters<BusMaker['create']>[0]) => {
      const bus = await maker.create(options);
      open.push(bus);
      return bus;
    };
    before(async () => {
      maker = await harness.setup();
    });
    after(async () => {
      for (const b of open) await b.close();
      await maker?.teardown();
    });

    test('append gives strictly increasing ids, in order, and changes the state', async () => {
      const bus = await make();
      assert.equal(await bus.lastId(), null);
      const r = await bus.append([
        { topic: 'prices', key: 'a', op: 'upsert', data: { high: 1, low: 0 } },
        { topic: 'prices', key: 'a', op: 'patch', data: { low: 2 } },
        { topic: 'prices', key: 'b', op: 'upsert', data: 5 },
        { topic: 'prices', key: 'b', op: 'delete' },
        { topic: 'rss', key: 'f', op: 'append', data: { id: 1 } },
      ]);
      assert.equal(r.duplicates, 0);
      assert.deepEqual(r.events.map((e) => e.key), ['a', 'a', 'b', 'b', 'f']);
      for (let i = 1; i < r.events.length; i++) assert.ok(compareIds(r.events[i - 1].id, r.events[i].id) < 0, 'ids ascend');
      assert.ok(!Number.isNaN(Date.parse(r.events[0].time)), 'time is ISO');
      assert.equal(await bus.lastId(), r.events[4].id);
      const snap = await bus.snapshot('prices');
      assert.deepEqual(snap, { topic: 'prices', lastEventId: r.events[4].id, items: { a: { high: 1, low: 2 } } });
      assert.deepEqual((await bus.snapshot('rss')).items, { f: [{ id: 1 }] });
      const more = await bus.append([{ topic: 'prices', key: 'c', op: 'upsert', data: 1 }]);
      assert.ok(compareIds(r.events[4].id, more.events[0].id) < 0, 'a later append gets a later id');
    });

    test('append lists are bounded by listLimit, oldest items dropping first', async () => {
      const bus = await make({ listLimit: 3 });
      for (let i = 0; i < 6; i++) await bus.append([{ topic: 'rss', key: 'f', op: 'append', data: i }]);
      assert.deepEqual((await bus.snapshot('rss')).items.f, [3, 4, 5]);
    });

    test('snapshot narrows to keys and reports the log position it includes', async () => {
      const bus = await make();
      await bus.append([
        { topic: 't', key: 'a', op: 'upsert', data: 1 },
        { topic: 't', key: 'b', op: 'upsert', data: 2 },
        { topic: 'other', key: 'z', op: 'upsert', data: 3 },
      ]);
      const snap = await bus.snapshot('t', ['b', 'missing']);
      assert.deepEqual(snap.items, { b: 2 });
      assert.equal(snap.lastEventId, await bus.lastId());
      assert.deepEqual((await bus.snapshot('empty')).items, {});
    });

    test('snapshot and lastEventId are read atomically while appends run', async () => {
      const bus = await make({ historySize: 5000 });
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 40; i++) await bus.append([{ topic: 'c', key: `k${i % 5}`, op: 'upsert', data: { w, i } }, { topic: 'c', key: `k${(i + 1) % 5}`, op: 'patch', data: { p: i } }]);
      });
      const snaps: Awaited<ReturnType<Bus['snapshot']>>[] = [];
      const reader = (async () => {
        for (let i = 0; i < 40; i++) snaps.push(await bus.snapshot('c'));
      })();
      await Promise.all([...writers, reader]);
      const log = await bus.readSince(ORIGIN_ID, [{ topic: 'c' }]);
      assert.ok(log.ok);
      for (const snap of snaps) {
        // Rebuild the state from the log up to the snapshot's position: it must be exactly the snapshot.
        const state = new Map<string, unknown>();
        for (const e of log.events) {
          if (snap.lastEventId === null || compareIds(e.id, snap.lastEventId) > 0) break;
          applyEvent(state, e, 1000);
        }
        assert.deepEqual(snap.items, Object.fromEntries(state), `snapshot at ${snap.lastEventId}`);
      }
    });

    test('readSince: ok from the origin and from a retained id, filtered by selectors', async () => {
      const bus = await make();
      assert.deepEqual(await bus.readSince(ORIGIN_ID, [{ topic: 'x' }]), { ok: true, events: [] });
      const { events } = await bus.append([
        { topic: 'x', key: '1', op: 'upsert', data: 1 },
        { topic: 'y', key: '1', op: 'upsert', data: 2 },
        { topic: 'x', key: '2', op: 'upsert', data: 3 },
        { topic: 'x', key: '1', op: 'upsert', data: 4 },
      ]);
      const all = await bus.readSince(ORIGIN_ID, [{ topic: 'x' }, { topic: 'y' }]);
      assert.deepEqual(all.ok && all.events.map((e) => e.id), events.map((e) => e.id));
      const after1 = await bus.readSince(events[0].id, [{ topic: 'x' }]);
      assert.deepEqual(after1.ok && after1.events.map((e) => e.data), [3, 4]);
      const oneKey = await bus.readSince(ORIGIN_ID, [{ topic: 'x', key: '1' }]);
      assert.deepEqual(oneKey.ok && oneKey.events.map((e) => e.data), [1, 4]);
      assert.deepEqual(await bus.readSince(events[3].id, [{ topic: 'x' }]), { ok: true, events: [] });
      assert.deepEqual((oneKey as { events: Envelope[] }).events[0], events[0], 'replayed envelopes equal the appended ones');
    });

    test('readSince: an id newer than the log or unknown within it is another epoch', async () => {
      const bus = await make();
      const first = (await bus.append([{ topic: 'x', key: '1', op: 'upsert', data: 1 }])).events[0];
      const [ms0] = first.id.split('-').map(Number);
      await waitUntil(() => Date.now() > ms0 + 3, 'the clock to move 3 ms on', 1000, 1);
      const second = (await bus.append([{ topic: 'x', key: '1', op: 'upsert', data: 2 }])).events[0];
      const events = [first, second];
      const [ms1] = second.id.split('-').map(Number);
      assert.ok(ms1 > ms0 + 1, 'the two appends are at least 2 ms apart');
      assert.deepEqual(await bus.readSince(`${ms1 + 60_000}-0`, [{ topic: 'x' }]), { ok: false, reason: 'epoch' });
      assert.deepEqual(await bus.readSince(`${ms0 + 1}-7`, [{ topic: 'x' }]), { ok: false, reason: 'epoch' }, 'an id between two retained ones that this log never issued');
      const fresh = await make();
      assert.deepEqual(await fresh.readSince(events[1].id, [{ topic: 'x' }]), { ok: false, reason: 'epoch' }, 'an empty log knows no id');
    });

    test('readSince: a position older than the retained log has expired', async () => {
      const bus = await make({ historySize: 5 });
      const first = await bus.append([{ topic: 'x', key: 'k', op: 'upsert', data: 0 }]);
      for (let i = 1; i < 400; i++) await bus.append([{ topic: 'x', key: 'k', op: 'upsert', data: i }]);
      assert.deepEqual(await bus.readSince(first.events[0].id, [{ topic: 'x' }]), { ok: false, reason: 'expired' });
      assert.deepEqual(await bus.readSince(ORIGIN_ID, [{ topic: 'x' }]), { ok: false, reason: 'expired' });
      const last = (await bus.lastId())!;
      assert.deepEqual(await bus.readSince(last, [{ topic: 'x' }]), { ok: true, events: [] });
      assert.equal((await bus.snapshot('x')).items.k, 399, 'the state keeps every key whatever the log trims');
    });

    test('dedupe keys skip repeats, also within one batch, and expire after the TTL', async () => {
      const bus = await make({ dedupeTtlMs: 1000 });
      const a = await bus.append([
        { topic: 'd', key: '1', op: 'upsert', data: 1, dedupeKey: 'm1' },
        { topic: 'd', key: '2', op: 'upsert', data: 2, dedupeKey: 'm1' },
        { topic: 'd', key: '3', op: 'upsert', data: 3 },
      ]);
      assert.equal(a.events.length, 2);
      assert.equal(a.duplicates, 1);
      const b = await bus.append([{ topic: 'd', key: '1', op: 'upsert', data: 9, dedupeKey: 'm1' }]);
      assert.deepEqual(b, { events: [], duplicates: 1 });
      assert.deepEqual((await bus.snapshot('d')).items, { 1: 1, 3: 3 });
      await waitUntil(async () => (await bus.append([{ topic: 'd', key: '1', op: 'upsert', data: 10, dedupeKey: 'm1' }])).events.length === 1, 'the dedupe key to expire', 10_000, 100);
      assert.equal((await bus.snapshot('d')).items[1], 10);
    });

    test('subscribers see every event once, in id order, in batches; unsubscribe stops delivery', async () => {
      const bus = await make({ historySize: 5000 });
      const seen: Envelope[] = [];
      let batches = 0;
      const unsubscribe = bus.subscribe((events) => {
        batches++;
        seen.push(...events);
      });
      const appended: Envelope[] = [];
      await Promise.all(
        Array.from({ length: 5 }, async (_, w) => {
          for (let i = 0; i < 20; i++) appended.push(...(await bus.append([{ topic: 's', key: `${w}`, op: 'upsert', data: i }, { topic: 's', key: `${w}`, op: 'patch', data: { i } }])).events);
        }),
      );
      await waitUntil(() => seen.length >= appended.length, `${appended.length} events delivered`);
      assert.equal(seen.length, appended.length);
      for (let i = 1; i < seen.length; i++) assert.ok(compareIds(seen[i - 1].id, seen[i].id) < 0, `delivery in id order at ${i}`);
      assert.deepEqual(new Set(seen.map((e) => e.id)), new Set(appended.map((e) => e.id)));
      assert.ok(batches <= 100, 'at most one delivery per append');
      unsubscribe();
      const marker = bus.subscribe(() => {});
      await bus.append([{ topic: 's', key: 'late', op: 'upsert', data: 1 }]);
      const second: Envelope[] = [];
      const un2 = bus.subscribe((e) => second.push(...e));
      await bus.append([{ topic: 's', key: 'later', op: 'upsert', data: 1 }]);
      await waitUntil(() => second.length >= 1, 'a new subscriber to see the next append');
      assert.equal(seen.length, appended.length, 'an unsubscribed listener hears nothing more');
      un2();
      marker();
    });
  });
}
