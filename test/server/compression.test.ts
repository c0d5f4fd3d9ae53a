import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';

/**
 * The relay compresses its JSON answers and the demo's files by Accept-Encoding, with
 * `Vary: Accept-Encoding`, and never the SSE stream.
 */
describe('compressed responses', () => {
  let r: InProcessRelay;
  const ACCEPT = 'gzip, deflate, br';

  before(async () => {
    r = await startRelay({ config: { DEMO: true } });
    const t = Math.floor(Date.now() / 1000);
    const events = [];
    // Enough keys and points that the snapshot and the series are over the 1 kB threshold (the
    // series answers one point per minute of a 1h chart: one point a minute for an hour).
    for (let i = 0; i < 60; i++) events.push({ topic: 'prices', key: `k${i}`, op: 'upsert', data: { name: `Item number ${i}`, high: 1000 + i, low: 900 + i, ts: t - 3000 + i } });
    for (let i = 0; i < 60; i++) events.push({ topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: 2_850_000 + i * 7, low: 2_840_000 + i * 3, ts: t - 3540 + i * 60 } });
    assert.equal((await publish(r.url, events)).status, 200);
    await r.ctx.series.recorder.idle();
  });
  after(() => r.close());

  const assertCompressed = (res: request.Response, what: string) => {
    assert.equal(res.headers['content-encoding'], 'br', `${what}: brotli when the client accepts it`);
    assert.match(res.headers.vary ?? '', /Accept-Encoding/i, `${what}: Vary: Accept-Encoding`);
  };

  test('a snapshot is sent compressed, brotli or gzip by Accept-Encoding', async () => {
    const res = await request(r.url).get('/v1/topics/prices').set('Accept-Encoding', ACCEPT);
    assert.equal(res.status, 200);
    assertCompressed(res, 'snapshot');
    assert.equal(Object.keys(res.body.items).length, 61);
    const gzip = await request(r.url).get('/v1/topics/prices').set('Accept-Encoding', 'gzip');
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    const plain = await request(r.url).get('/v1/topics/prices').set('Accept-Encoding', 'identity');
    assert.equal(plain.headers['content-encoding'], undefined, 'identity: sent plain');
    assert.match(plain.headers.vary ?? '', /Accept-Encoding/i);
  });

  test('a series is sent compressed', async () => {
    const res = await request(r.url).get('/v1/series/prices/4151?period=1h').set('Accept-Encoding', ACCEPT);
    assert.equal(res.status, 200);
    assertCompressed(res, 'series');
    assert.ok(res.body.t.length > 0);
  });

  test('an error answer is sent compressed (when over the threshold) and always varies by encoding', async () => {
    // The 404 names the path, so a long one makes an error body over 1 kB.
    const res = await request(r.url).get(`/v1/${'x'.repeat(1500)}`).set('Accept-Encoding', ACCEPT);
    assert.equal(res.status, 404);
    assertCompressed(res, 'error');
    assert.equal(res.body.error.code, 'not_found');
    const small = await request(r.url).get('/v1/topics/BAD').set('Accept-Encoding', ACCEPT);
    assert.equal(small.status, 400);
    assert.match(small.headers.vary ?? '', /Accept-Encoding/i, 'a small error still says it varies');
  });

  test('a demo file is sent compressed', async () => {
    for (const path of ['/', '/demo.css']) {
      const res = await request(r.url).get(path).set('Accept-Encoding', ACCEPT);
      assert.equal(res.status, 200, path);
      assertCompressed(res, path);
    }
  });

  test('the SSE stream is never compressed', async () => {
    const controller = new AbortController();
    const res = await fetch(`${r.url}/v1/events?topics=prices`, { headers: { 'Accept-Encoding': ACCEPT }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(res.headers.get('content-encoding'), null);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /event: connected/, 'the first frame is readable as it is sent');
    controller.abort();
  });
});
