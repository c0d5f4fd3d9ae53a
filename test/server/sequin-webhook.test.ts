import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Bus } from '../../server/bus/bus.js';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { loadConfig } from '../../server/config.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

/** `POST /v1/webhooks/sequin` over a real socket: auth schemes, batches, idempotency, errors. */

const SECRET = 'sequin-secret-0123456789';
const KEY = randomBytes(24);
const WHSEC = `whsec_${KEY.toString('base64')}`;

function message(i: number, over: Record<string, unknown> = {}) {
  return {
    record: { id: `row-${i}`, name: `Row ${i}`, score: i },
    changes: null,
    action: 'insert',
    metadata: { table_schema: 'public', table_name: 'scores', idempotency_key: `idem-${i}-${Math.random()}`, commit_timestamp: '2026-11-23T08:00:00Z' },
    ...over,
  };
}

function standardHeaders(body: string, key: Buffer, opts: { id?: string; ts?: number; extraSigs?: string[] } = {}) {
  const id = opts.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': [...(opts.extraSigs ?? []), `v1,${sig}`].join(' ') };
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/webhooks/sequin`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

async function rejected(r: InProcessRelay, reason: string): Promise<number> {
  const m = await r.ctx.metrics.webhookRejected.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('Sequin webhook sink', () => {
  const relays: InProcessRelay[] = [];
  const relay = async (config: Record<string, unknown> = {}, bus?: Bus) => {
    const r = await startRelay({ config: { SEQUIN_WEBHOOK_SECRET: SECRET, WEBHOOK_SECRET: WHSEC, ...config }, bus });
    relays.push(r);
    return r;
  };
  after(async () => {
    for (const r of relays) await r.close();
  });

  test('with no secret configured the endpoint refuses, naming the variables to set', async () => {
    const r = await relay({ SEQUIN_WEBHOOK_SECRET: undefined, WEBHOOK_SECRET: undefined });
    const res = await post(r.url, JSON.stringify(message(1)), { authorization: 'Bearer anything-at-all-here' });
    assert.equal(res.status, 503);
    assert.match(res.body.error.message, /SEQUIN_WEBHOOK_SECRET/);
    assert.match(res.body.error.message, /WEBHOOK_SECRET/);
    assert.equal(await r.ctx.bus.lastId(), null);
    assert.equal(await rejected(r, 'not_configured'), 1);
  });

  test('bearer: a single insert becomes an upsert of the record; a delete removes the key', async () => {
    const r = await relay({ SEQUIN_TOPIC_MAP: ['scores:leaderboard'] });
    const ins = await post(r.url, JSON.stringify(message(1)), { authorization: `Bearer ${SECRET}` });
    assert.equal(ins.status, 200, JSON.stringify(ins.body));
    assert.equal(ins.body.ids.length, 1);
    let snap = await r.ctx.bus.snapshot('leaderboard');
    assert.deepEqual(snap.items, { 'row-1': { id: 'row-1', name: 'Row 1', score: 1 } });
    const del = await post(r.url, JSON.stringify(message(1, { action: 'delete' })), { authorization: `Bearer ${SECRET}` });
    assert.equal(del.status, 200);
    snap = await r.ctx.bus.snapshot('leaderboard');
    assert.deepEqual(snap.items, {});
    const events = await r.ctx.bus.readSince('0-0', [{ topic: 'leaderboard' }]);
    assert.ok(events.ok);
    assert.deepEqual(events.events.map((e) => e.op), ['upsert', 'delete']);
  });

  test('wrong or missing credentials answer 401 and publish nothing', async () => {
    const r = await relay();
    const body = JSON.stringify(message(1));
    const wrongBearer = await post(r.url, body, { authorization: 'Bearer not-the-secret-at-all' });
    assert.equal(wrongBearer.status, 401);
    assert.match(wrongBearer.body.error.message, /bearer token does not match SEQUIN_WEBHOOK_SECRET/);
    const none = await post(r.url, body);
    assert.equal(none.status, 401);
    assert.match(none.body.error.message, /no credentials/);
    const wrongKey = await post(r.url, body, standardHeaders(body, randomBytes(24)));
    assert.equal(wrongKey.status, 401);
    assert.match(wrongKey.body.error.message, /no v1 signature/);
    const wrongHmac = await post(r.url, body, { 'sequin-signature': createHmac('sha256', 'another-secret-123456').update(body).digest('hex') });
    assert.equal(wrongHmac.status, 401);
    assert.match(wrongHmac.body.error.message, /Sequin-Signature/);
    assert.equal(await r.ctx.bus.lastId(), null);
    assert.equal(await rejected(r, 'auth'), 4);
  });

  test('Sequin-Signature: a hex HMAC-SHA256 of the raw body is accepted', async () => {
    const r = await relay();
    const body = JSON.stringify(message(2));
    const res = await post(r.url, body, { 'sequin-signature': createHmac('sha256', SECRET).update(body).digest('hex') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ids.length, 1);
  });

  test('Standard Webhooks: valid signatures pass, any one of several (key rotation) is enough', async () => {
    const r = await relay({ SEQUIN_WEBHOOK_SECRET: undefined });
    const body = JSON.stringify({ data: [message(3), message(4)] });
    const oldKeySig = `v1,${createHmac('sha256', randomBytes(24)).update('x').digest('base64')}`;
    const res = await post(r.url, body, standardHeaders(body, KEY, { extraSigs: [oldKeySig, 'v2,bm90LWEtdjE='] }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ids.length, 2);
    // A bearer token means nothing when only WEBHOOK_SECRET is set.
    const bearer = await post(r.url, JSON.stringify(message(5)), { authorization: `Bearer ${SECRET}` });
    assert.equal(bearer.status, 401);
  });

  test('Standard Webhooks: timestamps older or newer than 5 minutes are refused', async () => {
    const r = await relay({ SEQUIN_WEBHOOK_SECRET: undefined });
    const body = JSON.stringify(message(6));
    const now = Math.floor(Date.now() / 1000);
    const old = await post(r.url, body, standardHeaders(body, KEY, { ts: now - 301 }));
    assert.equal(old.status, 401);
    assert.match(old.body.error.message, /webhook-timestamp is 30\d s away .*tolerance 300 s/);
    const future = await post(r.url, body, standardHeaders(body, KEY, { ts: now + 400 }));
    assert.equal(future.status, 401);
    const edge = await post(r.url, body, standardHeaders(body, KEY, { ts: now - 290 }));
    assert.equal(edge.status, 200);
  });

  test('a signature over another body (tampered or truncated) is refused', async () => {
    const r = await relay({ SEQUIN_WEBHOOK_SECRET: undefined });
    const body = JSON.stringify(message(7));
    const headers = standardHeaders(body, KEY);
    const truncated = await post(r.url, body.slice(0, body.length - 5), headers);
    assert.equal(truncated.status, 401);
    const tampered = await post(r.url, body.replace('Row 7', 'Row 8'), headers);
    assert.equal(tampered.status, 401);
    assert.equal(await r.ctx.bus.lastId(), null);
  });

  test('replayed deliveries: a repeated idempotency key (or webhook-id) is acknowledged and not published again', async () => {
    const r = await relay();
    const m = message(8);
    const body = JSON.stringify({ data: [m] });
    const first = await post(r.url, body, { authorization: `Bearer ${SECRET}` });
    assert.equal(first.status, 200);
    assert.equal(first.body.ids.length, 1);
    const again = await post(r.url, body, { authorization: `Bearer ${SECRET}` });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { ids: [], duplicates: 1 });
    // A batch mixing a seen message with a new one publishes only the new one.
    const mixed = await post(r.url, JSON.stringify({ data: [m, message(9)] }), { authorization: `Bearer ${SECRET}` });
    assert.equal(mixed.body.ids.length, 1);
    assert.equal(mixed.body.duplicates, 1);

    // Without idempotency keys, the Standard Webhooks delivery id dedupes a redelivery.
    const bare = message(10);
    delete (bare.metadata as Record<string, unknown>).idempotency_key;
    const bareBody = JSON.stringify(bare);
    const headers = standardHeaders(bareBody, KEY, { id: 'msg_redelivered_1' });
    assert.equal((await post(r.url, bareBody, headers)).body.ids.length, 1);
    const redelivered = await post(r.url, bareBody, standardHeaders(bareBody, KEY, { id: 'msg_redelivered_1' }));
    assert.deepEqual(redelivered.body, { ids: [], duplicates: 1 });
    const events = await r.ctx.bus.readSince('0-0', [{ topic: 'scores' }]);
    assert.ok(events.ok);
    assert.equal(events.events.length, 3);
  });

  test('a batch with one bad message is refused whole, naming the field', async () => {
    const r = await relay();
    const bad = message(3);
    delete (bad.metadata as Record<string, unknown>).table_name;
    const body = JSON.stringify({ data: [message(0), message(1), message(2), bad, message(4)] });
    const res = await post(r.url, body, { authorization: `Bearer ${SECRET}` });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^data\[3\]\.metadata\.table_name is missing/);
    assert.match(res.body.error.message, /nothing was published/);
    assert.equal(await r.ctx.bus.lastId(), null);

    const noKey = await post(r.url, JSON.stringify({ data: [message(0), { ...message(1), record: { name: 'no id' } }] }), { authorization: `Bearer ${SECRET}` });
    assert.equal(noKey.status, 400);
    assert.match(noKey.body.error.message, /data\[1\]\.record\.id is missing.*SEQUIN_KEY_MAP=scores:<column>/);
    const badAction = await post(r.url, JSON.stringify(message(0, { action: 'truncate' })), { authorization: `Bearer ${SECRET}` });
    assert.equal(badAction.status, 400);
    assert.match(badAction.body.error.message, /message\.action must be one of insert, update, delete, read/);
    const badTopic = await post(r.url, JSON.stringify(message(0, { metadata: { table_name: 'Weird Table' } })), { authorization: `Bearer ${SECRET}` });
    assert.equal(badTopic.status, 400);
    assert.match(badTopic.body.error.message, /SEQUIN_TOPIC_MAP=Weird Table:<topic>/);
    assert.equal(await r.ctx.bus.lastId(), null);
    assert.equal(await rejected(r, 'invalid'), 4);
  });

  test('a mapping entry without ":" stops the relay at start, naming the variable', () => {
    assert.throws(() => loadConfig({ SEQUIN_KEY_MAP: 'yahoo_leagues' }), /SEQUIN_KEY_MAP="yahoo_leagues": use table:value entries/);
    assert.deepEqual(loadConfig({ SEQUIN_TOPIC_MAP: 'a:b, c:d' }).SEQUIN_TOPIC_MAP, ['a:b', 'c:d']);
  });

  test('SEQUIN_KEY_MAP picks the primary key column per table', async () => {
    const r = await relay({ SEQUIN_KEY_MAP: ['yahoo_leagues:league_id'], SEQUIN_TOPIC_MAP: ['yahoo_leagues:leagues'] });
    const m = message(0, { record: { league_id: 77, name: 'L' }, metadata: { table_name: 'yahoo_leagues', idempotency_key: 'k-77' } });
    const res = await post(r.url, JSON.stringify(m), { authorization: `Bearer ${SECRET}` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((await r.ctx.bus.snapshot('leagues')).items, { '77': { league_id: 77, name: 'L' } });
  });

  test('malformed or truncated JSON answers 400; an empty body too', async () => {
    const r = await relay();
    const body = JSON.stringify({ data: [message(1)] });
    const cut = await post(r.url, body.slice(0, 40), { authorization: `Bearer ${SECRET}` });
    assert.equal(cut.status, 400);
    assert.match(cut.body.error.message, /not valid JSON/);
    const empty = await post(r.url, '', { authorization: `Bearer ${SECRET}` });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /empty/);
    const notArray = await post(r.url, '{"data": 5}', { authorization: `Bearer ${SECRET}` });
    assert.equal(notArray.status, 400);
    assert.match(notArray.body.error.message, /data must be an array/);
    assert.equal(await rejected(r, 'malformed'), 2);
    const emptyBatch = await post(r.url, '{"data": []}', { authorization: `Bearer ${SECRET}` });
    assert.deepEqual([emptyBatch.status, emptyBatch.body], [200, { ids: [], duplicates: 0 }]);
  });

  test('a body cut short of its Content-Length is refused and publishes nothing', async () => {
    const r = await relay();
    const body = JSON.stringify(message(1));
    const { port } = new URL(r.url);
    // The client promises more bytes than it sends, then ends its side: the relay must not act.
    const status = await new Promise<number | string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/webhooks/sequin', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', 'content-length': body.length + 50 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => resolve(err.message));
      req.write(body);
      setTimeout(() => req.destroy(), 200);
    });
    assert.notEqual(status, 200, 'a truncated delivery is never acknowledged');
    assert.equal(await r.ctx.bus.lastId(), null);
  });

  test('bodies over MAX_BODY_BYTES answer 413', async () => {
    const r = await relay({ MAX_BODY_BYTES: 2048 });
    const res = await post(r.url, JSON.stringify({ data: Array.from({ length: 50 }, (_, i) => message(i)) }), { authorization: `Bearer ${SECRET}` });
    assert.equal(res.status, 413);
    assert.match(res.body.error.message, /MAX_BODY_BYTES \(2048 bytes\)/);
    assert.equal(await rejected(r, 'too_large'), 1);
  });

  test('on Redis: a delivery replayed to another relay is not published twice; Redis down answers 503', async () => {
    const redis = await startRedis();
    try {
      const busA = await RedisBus.connect({ ...TEST_BUS_OPTIONS, url: redis.url, prefix: 'wh:' });
      const busB = await RedisBus.connect({ ...TEST_BUS_OPTIONS, url: redis.url, prefix: 'wh:' });
      const a = await relay({}, busA);
      const b = await relay({}, busB);
      const body = JSON.stringify(message(1));
      const first = await post(a.url, body, { authorization: `Bearer ${SECRET}` });
      assert.equal(first.status, 200);
      assert.equal(first.body.ids.length, 1);
      const replay = await post(b.url, body, { authorization: `Bearer ${SECRET}` });
      assert.deepEqual(replay.body, { ids: [], duplicates: 1 });

      await redis.kill();
      await waitUntil(() => !busA.isReady(), 'the bus to notice Redis is gone');
      const res = await post(a.url, JSON.stringify(message(2)), { authorization: `Bearer ${SECRET}` });
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'bus_unavailable', 'the one code every route answers while the bus is down');
      assert.match(res.body.error.message, /retry later/);
      assert.equal(await rejected(a, 'unavailable'), 1);
    } finally {
      for (const r of relays.splice(0)) await r.close();
      await redis.stop();
    }
  });
});
