import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { metricsText } from '../helpers/metrics.mjs';

/** Snapshot, publish and health routes over a real socket (memory bus; the stream is tested per bus). */
describe('relay HTTP routes', () => {
  const relays: InProcessRelay[] = [];
  const relay = async (config = {}) => {
    const r = await startRelay({ config });
    relays.push(r);
    return r;
  };
  after(async () => {
    for (const r of relays) await r.close();
  });

  test('snapshot returns the state and the position it includes; ?keys narrows it', async () => {
    const r = await relay();
    const pub = await publish(r.url, [
      { topic: 'prices', key: 'a', op: 'upsert', data: { high: 2 } },
      { topic: 'prices', key: 'b', op: 'upsert', data: { high: 3 } },
      { topic: 'prices', key: 'a', op: 'patch', data: { low: 1 } },
    ]);
    const snap = await (await fetch(`${r.url}/v1/topics/prices`)).json();
    assert.deepEqual(snap, { topic: 'prices', lastEventId: pub.body.ids[2], items: { a: { high: 2, low: 1 }, b: { high: 3 } } });
    const narrow = await (await fetch(`${r.url}/v1/topics/prices?keys=b`)).json();
    assert.deepEqual(narrow.items, { b: { high: 3 } });
    const bad = await fetch(`${r.url}/v1/topics/BAD`);
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /topic "BAD" is not valid/);
  });

  test('publish: malformed input is refused naming field and index, and nothing is applied', async () => {
    const r = await relay();
    const res = await publish(r.url, [
      { topic: 'p', key: 'a', op: 'upsert', data: 1 },
      { topic: 'p', key: 'b', op: 'explode', data: 1 },
    ]);
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /events\[1\]\.op must be one of/);
    assert.equal(await r.ctx.bus.lastId(), null, 'the valid first event was not applied either');
    const notJson = await publish(r.url, '{"topic":');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.error.message, /not valid JSON/);
    const empty = await publish(r.url, []);
    assert.equal(empty.status, 400);
    const scalar = await publish(r.url, '42');
    assert.equal(scalar.status, 400);
    assert.match(scalar.body.error.message, /must be a JSON event/);
  });

  test('publish: bodies over MAX_BODY_BYTES answer 413', async () => {
    const r = await relay({ MAX_BODY_BYTES: 2048 });
    const res = await publish(r.url, { topic: 'p', key: 'a', op: 'upsert', data: 'x'.repeat(5000) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'payload_too_large');
    assert.match(res.body.error.message, /MAX_BODY_BYTES/);
  });

  test('publish: with PUBLISH_TOKEN a bearer token is required', async () => {
    const token = 'a-token-of-enough-length';
    const r = await relay({ PUBLISH_TOKEN: token });
    const ev = { topic: 'p', key: 'a', op: 'upsert', data: 1 };
    assert.equal((await publish(r.url, ev)).status, 401);
    assert.equal((await publish(r.url, ev, { Authorization: 'Bearer wrong-token-of-enough-length' })).status, 401);
    const ok = await publish(r.url, ev, { Authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ids.length, 1);
  });

  test('healthz, readyz and metrics answer; unknown routes are JSON 404', async () => {
    const r = await relay();
    assert.deepEqual(await (await fetch(`${r.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${r.url}/readyz`);
    assert.equal(ready.status, 200);
    await publish(r.url, { topic: 'p', key: 'a', op: 'upsert', data: 1 });
    const text = await metricsText(r.url);
    for (const name of ['live_sse_clients', 'live_events_published_total', 'live_events_delivered_total', 'live_clients_evicted_total', 'live_replay_resets_total', 'live_webhook_rejected_total']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(text, /^live_events_published_total 1$/m);
    const missing = await fetch(`${r.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'not_found');
  });
});
