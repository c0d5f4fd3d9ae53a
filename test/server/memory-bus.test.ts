import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds, ORIGIN_ID } from '../../src/core/wire.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busListenerCount } from '../helpers/internals.js';

const opts = { historySize: 3, listLimit: 10, dedupeTtlMs: 1000 };

test('memory bus: ids stay strictly increasing when the clock steps back', async () => {
  const bus = new MemoryBus(opts);
  const now = mock.method(Date, 'now', () => 2_000_000);
  try {
    const a = await bus.append([{ topic: 't', key: 'k', op: 'upsert', data: 1 }]);
    now.mock.mockImplementation(() => 1_000_000);
    const b = await bus.append([{ topic: 't', key: 'k', op: 'upsert', data: 2 }]);
    now.mock.mockImplementation(() => 2_000_001);
    const c = await bus.append([{ topic: 't', key: 'k', op: 'upsert', data: 3 }]);
    assert.deepEqual([a, b, c].map((r) => r.events[0].id), ['2000000-0', '2000000-1', '2000001-0']);
  } finally {
    now.mock.restore();
  }
});

test('memory bus: readSince accepts exactly the floor (last trimmed id) and refuses older', async () => {
  const bus = new MemoryBus(opts);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await bus.append([{ topic: 't', key: 'k', op: 'upsert', data: i }])).events[0].id);
  // Retained: ids[2..4]; the floor is ids[1].
  const atFloor = await bus.readSince(ids[1], [{ topic: 't' }]);
  assert.deepEqual(atFloor.ok && atFloor.events.map((e) => e.id), ids.slice(2));
  assert.deepEqual(await bus.readSince(ids[0], [{ topic: 't' }]), { ok: false, reason: 'expired' });
  assert.deepEqual(await bus.readSince(ORIGIN_ID, [{ topic: 't' }]), { ok: false, reason: 'expired' });
  assert.deepEqual(await bus.readSince('not-an-id', [{ topic: 't' }]), { ok: false, reason: 'epoch' });
  assert.ok(compareIds(ids[1], ids[2]) < 0);
});

test('memory bus: listener errors do not stop other listeners or fail the append', async () => {
  const bus = new MemoryBus(opts);
  const warn = mock.method(process, 'emitWarning', () => {});
  try {
    bus.subscribe(() => {
      throw new Error('boom');
    });
    let got = 0;
    bus.subscribe((e) => (got += e.length));
    await bus.append([{ topic: 't', key: 'k', op: 'upsert', data: 1 }]);
    assert.equal(got, 1);
    assert.equal(warn.mock.callCount(), 1);
    assert.equal(busListenerCount(bus), 2);
  } finally {
    warn.mock.restore();
  }
});
