import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

// Issue 12, item 4. A relay that trusts loopback callers (the demo, PUBLISH_ALLOW_LOOPBACK) was
// writable from any web page the developer visited: a `text/plain` POST (a form, or fetch with
// mode: 'no-cors') needs no CORS preflight, was parsed as JSON, and was applied. A DNS rebinding
// (evil.example resolving to 127.0.0.1) reached the same routes, and /demo/info.json with them.

const SECRET = 'sequin-secret-0123456789';
const EVENT = JSON.stringify({ topic: 'notes', key: 'k', op: 'upsert', data: { by: 'a page on another site' } });
let relay: InProcessRelay;
let port = '';

before(async () => {
  relay = await startRelay({ config: { DEMO: true, CORS_ORIGINS: ['http://allowed.example'], SEQUIN_WEBHOOK_SECRET: SECRET, DEMO_GENERATED_SECRET: true } });
  port = new URL(relay.url).port;
});
after(() => relay?.close());

/** A raw POST/GET over node:http, so the test controls Host (fetch would not let it). */
function send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function nothingPublished<T>(what: () => Promise<T>): Promise<T> {
  const before = await relay.ctx.bus.lastId();
  const result = await what();
  assert.equal(await relay.ctx.bus.lastId(), before, 'nothing may be published');
  return result;
}

test('a no-preflight text/plain publish from another site is refused, naming its origin', async () => {
  const res = await nothingPublished(() => send('POST', '/v1/publish', { origin: 'https://evil.example', 'content-type': 'text/plain' }, EVENT));
  assert.equal(res.status, 403, res.text);
  assert.match(JSON.parse(res.text).error.message, /https:\/\/evil\.example/);
});

test('a publish from another site is refused even as application/json', async () => {
  const res = await nothingPublished(() => send('POST', '/v1/publish', { origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, EVENT));
  assert.equal(res.status, 403, res.text);
  assert.match(JSON.parse(res.text).error.message, /CORS_ORIGINS/);
});

test('publish takes application/json only: other types get 415 naming the type', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const res = await nothingPublished(() => send('POST', '/v1/publish', { 'content-type': type }, EVENT));
    assert.equal(res.status, 415, `${type}: ${res.text}`);
    assert.equal(JSON.parse(res.text).error.code, 'unsupported_media_type');
    assert.ok(JSON.parse(res.text).error.message.includes(type), `the message names ${type}`);
  }
  const none = await nothingPublished(() => send('POST', '/v1/publish', {}, EVENT));
  assert.equal(none.status, 415, none.text);
  assert.match(JSON.parse(none.text).error.message, /no Content-Type/);
});

test('the relay\'s own origin, an allowed origin and a caller without Origin may publish JSON', async () => {
  const local = `localhost:${port}`;
  const callers: Array<Record<string, string>> = [{ origin: relay.url }, { host: local, origin: `http://${local}` }, { origin: 'http://allowed.example' }, {}];
  for (const headers of callers) {
    const res = await send('POST', '/v1/publish', { ...headers, 'content-type': 'application/json; charset=utf-8' }, EVENT);
    assert.equal(res.status, 200, `${JSON.stringify(headers)}: ${res.text}`);
  }
});

test('DNS rebinding: a loopback caller asking for another Host is not trusted as local', async () => {
  const host = `evil.example:${port}`;
  const res = await nothingPublished(() => send('POST', '/v1/publish', { host, origin: `http://${host}`, 'content-type': 'application/json' }, EVENT));
  assert.equal(res.status, 403, res.text);
  assert.match(JSON.parse(res.text).error.message, /Host "evil\.example:\d+"/);
  const info = await send('GET', '/demo/info.json', { host });
  assert.equal(JSON.parse(info.text).loopback, false);
  assert.ok(!info.text.includes(SECRET), 'the session secret must not reach a rebound page');
  // The same caller by a loopback name is trusted, with or without a port.
  for (const h of [`localhost:${port}`, `127.0.0.1:${port}`, 'localhost', `[::1]:${port}`]) {
    const ok = await send('POST', '/v1/publish', { host: h, 'content-type': 'application/json' }, EVENT);
    assert.equal(ok.status, 200, `${h}: ${ok.text}`);
  }
});

test('the Sequin webhook takes application/json only (415, counted), even with the right secret', async () => {
  const message = JSON.stringify({ record: { id: 1 }, changes: null, action: 'insert', metadata: { table_name: 'notes', idempotency_key: 'x-1' } });
  const res = await nothingPublished(() => send('POST', '/v1/webhooks/sequin', { authorization: `Bearer ${SECRET}`, 'content-type': 'text/plain' }, message));
  assert.equal(res.status, 415, res.text);
  assert.match(JSON.parse(res.text).error.message, /text\/plain/);
  const counted = (await relay.ctx.metrics.webhookRejected.get()).values.find((v) => v.labels.reason === 'content_type')?.value;
  assert.equal(counted, 1);
  const ok = await send('POST', '/v1/webhooks/sequin', { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }, message);
  assert.equal(ok.status, 200, ok.text);
});
