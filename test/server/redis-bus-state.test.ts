import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyEvent, type EventInput } from '../../src/core/wire.js';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';

// Property: for any sequence of events, the Redis bus's state (spliced as raw JSON in Lua) equals
// what applyEvent, the reference shared with the browser, makes of the same events.

let redis: PrivateRedis;
let bus: RedisBus;

before(async () => {
  redis = await startRedis();
  bus = await RedisBus.connect({ url: redis.url, historySize: 100, listLimit: 4, dedupeTtlMs: 60_000 });
});

after(async () => {
  await bus.close();
  await redis.stop();
});

const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const object = fc.dictionary(fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 4 })), json, { maxKeys: 4 });
const event: fc.Arbitrary<EventInput> = fc.record({ key: fc.constantFrom('x', 'y'), choice: fc.nat(3), data: json, fields: object }).map(({ key, choice, data, fields }) => {
  if (choice === 0) return { topic: 'p', key, op: 'upsert', data };
  if (choice === 1) return { topic: 'p', key, op: 'patch', data: fields };
  if (choice === 2) return { topic: 'p', key, op: 'append', data };
  return { topic: 'p', key, op: 'delete' };
});

test('Redis state equals applyEvent for random event sequences', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 12 }), async (events) => {
      const topic = `p${run++}`;
      const model = new Map<string, unknown>();
      const inputs = events.map((e) => ({ ...e, topic }));
      // Half the runs in one batch, half one by one: both paths must agree.
      const expected = () => JSON.parse(JSON.stringify(Object.fromEntries(model)));
      if (run % 2) {
        await bus.append(inputs);
        for (const e of inputs) applyEvent(model, e, 4);
      } else {
        // One by one, comparing after each: a wrong intermediate value may be overwritten later.
        for (const e of inputs) {
          await bus.append([e]);
          applyEvent(model, e, 4);
          assert.deepEqual((await bus.snapshot(topic)).items, expected());
        }
      }
      assert.deepEqual((await bus.snapshot(topic)).items, expected());
    }),
    { numRuns: 100 },
  );
});
