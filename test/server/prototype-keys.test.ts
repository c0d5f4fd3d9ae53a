import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buses } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';

// Issue 12, item 3: a key named `__proto__` was delivered on the stream but missing from
// snapshots, because the snapshot was built in a plain object. Keys that name Object.prototype's
// members are items like any other, on both buses, and the stream and the snapshot agree.

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

/** Raw JSON text, so `__proto__` stays an own key (a JS object literal would set the prototype). */
const BODY = `[
  {"topic":"protos","key":"__proto__","op":"upsert","data":{"polluted":true}},
  {"topic":"protos","key":"constructor","op":"upsert","data":{"prototype":{"polluted":true}}},
  {"topic":"protos","key":"toString","op":"upsert","data":"not a function"},
  {"topic":"protos","key":"hasOwnProperty","op":"append","data":1},
  {"topic":"protos","key":"__proto__","op":"patch","data":{"__proto__":{"x":1},"constructor":2}}
]`;

for (const harness of buses) {
  describe(`keys named like Object.prototype members: ${harness.name} bus`, () => {
    let relay: InProcessRelay | undefined;
    let stream: TestStream | undefined;
    let teardown: (() => Promise<void>) | undefined;
    after(async () => {
      stream?.close();
      await relay?.close();
      await teardown?.();
    });

    test('stream and snapshot agree on __proto__, constructor, toString and hasOwnProperty', async () => {
      const maker = await harness.setup();
      teardown = maker.teardown;
      relay = await startRelay({ bus: await maker.create() });
      stream = await openStream(relay.url, { topics: 'protos' });
      await stream.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
      const res = await publish(relay.url, BODY);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await stream.waitFor(() => stream!.changes().length === 5, 10_000, 'five changes');
      assert.deepEqual(stream.changes().map((e) => e.key), [...KEYS, '__proto__']);

      const snapRes = await fetch(`${relay.url}/v1/topics/protos`);
      assert.equal(snapRes.status, 200);
      const text = await snapRes.text();
      // Parsed by JSON.parse, `__proto__` is an own property of the result, as in the text.
      const items = JSON.parse(text).items;
      assert.deepEqual(Object.keys(items).sort(), [...KEYS].sort(), text);
      assert.equal(JSON.stringify(items.__proto__), '{"polluted":true,"__proto__":{"x":1},"constructor":2}');
      assert.deepEqual(items.constructor, { prototype: { polluted: true } });
      assert.equal(items.toString, 'not a function');
      assert.deepEqual(items.hasOwnProperty, [1]);
      // Narrowed to keys, the same.
      const narrowed = await (await fetch(`${relay.url}/v1/topics/protos?keys=__proto__,toString`)).json();
      assert.deepEqual(Object.keys(narrowed.items).sort(), ['__proto__', 'toString']);
      // Nothing leaked into the relay's own objects.
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
}
