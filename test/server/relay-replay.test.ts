import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds, ORIGIN_ID } from '../../src/core/wire.js';
import type { Bus, ReadSinceResult } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { buses, TEST_BUS_OPTIONS, type BusHarness, type BusMaker } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';

/**
 * Replay then live under concurrent publishing: streams connect (fresh or resuming from ids all over
 * the log) while two publishers keep writing; every stream must get exactly the log after its
 * position, in order, no gap, no duplicate.
 */
/**
 * A memory bus whose reads take a few milliseconds before and after they look at the log, like a
 * store across a network: publishes land in the window on both sides of the read, which is where
 * a relay that read first and subscribed second (or did not drop what replay sent) would fail.
 */
class SlowReadBus extends MemoryBus {
  override async readSince(afterId: string, selectors: Parameters<Bus['readSince']>[1]): Promise<ReadSinceResult> {
    await pause();
    const r = await super.readSince(afterId, selectors);
    await pause();
    return r;
  }
  override async lastId(): Promise<string | null> {
    await pause();
    const r = await super.lastId();
    await pause();
    return r;
  }
}
const pause = () => new Promise((r) => setTimeout(r, 2 + Math.floor(Math.random() * 4)));
const slowMemory: BusHarness = {
  name: 'memory',
  async setup() {
    return { create: async (o) => new SlowReadBus({ ...TEST_BUS_OPTIONS, ...o }), teardown: async () => {} };
  },
};

for (const harness of [...buses, slowMemory]) {
  describe(`replay then live under concurrent publishing (${harness === slowMemory ? 'memory bus with slow reads' : `${harness.name} bus`})`, () => {
    let maker: BusMaker;
    let relay: InProcessRelay | undefined;
    const streams: TestStream[] = [];
    before(async () => {
      maker = await harness.setup();
    });
    after(async () => {
      for (const s of streams) s.close();
      await relay?.close();
      await maker?.teardown();
    });

    test('no gap and no duplicate at the switch from replay to live', async () => {
      relay = await startRelay({ config: { MAX_CLIENTS_PER_IDENTITY: 1000 }, bus: await maker.create({ historySize: 100_000 }) });
      const url = relay.url;
      const published: string[] = [];
      let stop = false;
      let n = 0;
      const publisher = async (w: number) => {
        while (!stop) {
          const size = 1 + (n % 4);
          const batch = Array.from({ length: size }, (_, i) => ({ topic: i % 3 === 2 ? 'b' : 'a', key: `k${(n + i) % 7}`, op: 'upsert', data: { w, n: n++ } }));
          const r = await publish(url, batch);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          published.push(...r.body.ids);
        }
      };
      // Some history first, so resumes have somewhere to start.
      for (let i = 0; i < 20; i++) published.push(...(await publish(url, { topic: 'a', key: 'seed', op: 'upsert', data: i })).body.ids);
      const publishers = [publisher(0), publisher(1)];
      const opened: { s: TestStream; from: string | null; topics: string[] }[] = [];
      for (let i = 0; i < 30; i++) {
        const topics = i % 3 === 0 ? ['a', 'b'] : ['a'];
        const from = i % 4 === 0 ? null : published[Math.floor((published.length * (i % 7)) / 7)] ?? ORIGIN_ID;
        const s = await openStream(url, { topics: topics.join(','), ...(from ? { lastEventId: from } : {}) });
        streams.push(s);
        opened.push({ s, from, topics });
        await new Promise((r) => setImmediate(r));
      }
      stop = true;
      await Promise.all(publishers);
      const log = await relay.ctx.bus.readSince(ORIGIN_ID, [{ topic: 'a' }, { topic: 'b' }]);
      assert.ok(log.ok, 'the reference log is complete');
      assert.equal(log.events.length, published.length);
      for (const [i, { s, from, topics }] of opened.entries()) {
        const last = lastLogIdFor(log.events, topics);
        await s.waitFor((f) => f.some((x) => x.id === last), 15_000, `stream ${i} to reach the last event of its topics, ${last}`);
        const connected = s.frames[0];
        assert.equal(connected.event, 'connected');
        const start: string = from ?? connected.json.lastEventId;
        const expected: string[] = log.events.filter((e) => topics.includes(e.topic) && compareIds(e.id, start) > 0).map((e) => e.id);
        const got = s.changes().map((e) => e.id);
        assert.equal(s.frames.filter((f) => f.event === 'reset').length, 0, `stream ${i} got no reset`);
        assert.deepEqual(got, expected, `stream ${i} (from ${from ?? 'fresh'}, topics ${topics}) got exactly the log after ${start}`);
      }
    });
  });
}

function lastLogIdFor(events: readonly { id: string; topic: string }[], topics: string[]): string {
  for (let i = events.length - 1; i >= 0; i--) if (topics.includes(events[i].topic)) return events[i].id;
  return ORIGIN_ID;
}
