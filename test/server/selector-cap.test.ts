import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Selector } from '../../src/core/wire.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';

// Issue 12, item 10: selector lists had no cap, and a replay tested every retained event against
// every selector, so thousands of selectors with an old Last-Event-ID cost a linear scan each.
// The list is capped (MAX_SELECTORS, 400 naming it) and selectors are indexed by topic.

const keys = (n: number, topic = 'p') => Array.from({ length: n }, (_, i) => `${topic}/k${i}`).join(',');

describe('selector lists', () => {
  const relays: InProcessRelay[] = [];
  const streams: TestStream[] = [];
  after(async () => {
    for (const s of streams) s.close();
    for (const r of relays) await r.close();
  });

  test('more selectors than MAX_SELECTORS: 400 naming the limit; exactly the limit is served', async () => {
    const r = await startRelay({ config: { MAX_SELECTORS: 100 } });
    relays.push(r);
    const refused = await openStream(r.url, { topics: keys(101) });
    streams.push(refused);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'too_many_selectors');
    assert.match(refused.body.error.message, /101 selectors, more than 100 \(MAX_SELECTORS\)/);
    const served = await openStream(r.url, { topics: keys(100) });
    streams.push(served);
    assert.equal(served.status, 200, JSON.stringify(served.body));
  });

  test('a replay over key selectors and whole topics returns exactly the matching events, in order', async () => {
    const r = await startRelay();
    relays.push(r);
    const first = await publish(r.url, { topic: 'p', key: 'k0', op: 'upsert', data: 0 });
    const batch = [];
    for (let i = 0; i < 30; i++) batch.push({ topic: ['p', 'q', 'r'][i % 3], key: `k${i % 5}`, op: 'upsert', data: i });
    const ids: string[] = (await publish(r.url, batch)).body.ids;
    const s = await openStream(r.url, { topics: 'p/k1,p/k3,q,p/k1', lastEventId: first.body.ids[0] });
    streams.push(s);
    const expected = batch.map((e, i) => ({ ...e, id: ids[i] })).filter((e) => (e.topic === 'p' && (e.key === 'k1' || e.key === 'k3')) || e.topic === 'q');
    await s.waitFor(() => s.changes().length === expected.length, 5000, 'the replay');
    assert.deepEqual(s.changes().map((e) => e.id), expected.map((e) => e.id));
    const reset = s.frames.find((f) => f.event === 'reset');
    assert.equal(reset, undefined);
  });

  test('the memory bus reads each selector once per replay, not once per retained event', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    await bus.append(Array.from({ length: 500 }, (_, i) => ({ topic: 'p', key: `k${i}`, op: 'upsert' as const, data: i })));
    const list: Selector[] = Array.from({ length: 100 }, (_, i) => ({ topic: 'p', key: `k${i * 5}` }));
    let reads = 0;
    const counted = new Proxy(list, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop, receiver);
      },
    });
    const result = await bus.readSince('0-0', counted);
    assert.ok(result.ok);
    assert.equal(result.events.length, 100);
    assert.ok(reads <= 2 * list.length, `${reads} selector reads for a replay of 500 events over ${list.length} selectors`);
  });
});
