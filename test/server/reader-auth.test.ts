import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';
import { metricsText } from '../helpers/metrics.mjs';

/** Subscriber authorization over HTTP: the stream, snapshots and series answer alike. */
describe('reader authorization', () => {
  let relay: InProcessRelay;
  const streams: TestStream[] = [];
  const stream = async (...args: Parameters<typeof openStream>) => {
    const s = await openStream(...args);
    streams.push(s);
    return s;
  };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${relay.url}${path}`, { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  before(async () => {
    relay = await startRelay({
      config: { SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: ['prices', 'rss'], SERIES_TOPICS: ['prices', 'pipelines'] },
    });
    const events = [
      { topic: 'prices', key: '4151', op: 'upsert', data: { high: 10, low: 9, ts: 1_700_000_000 } },
      { topic: 'services', key: 'api-1', op: 'upsert', data: { name: 'API 1', status: 'running' } },
      { topic: 'services', key: 'api-2', op: 'upsert', data: { name: 'API 2', status: 'idle' } },
      { topic: 'pipelines', key: 'build', op: 'upsert', data: { duration: 12, ts: 1_700_000_000 } },
    ];
    assert.equal((await publish(relay.url, events)).status, 200);
  });
  after(async () => {
    for (const s of streams) s.close();
    await relay.close();
  });

  describe('stream', () => {
    test('anonymous readers get public topics', async () => {
      const s = await stream(relay.url, { topics: 'prices,rss' });
      assert.equal(s.status, 200);
      await s.waitFor((f) => f.some((x) => x.event === 'connected'));
    });

    test('anonymous readers of a non-public topic get 401 naming it and how to send a token', async () => {
      const s = await stream(relay.url, { topics: 'prices,services' });
      assert.equal(s.status, 401);
      assert.equal(s.body.error.code, 'unauthorized');
      assert.match(s.body.error.message, /"services" is not public/);
      assert.match(s.body.error.message, /Authorization: Bearer/);
      assert.equal(s.headers.get('www-authenticate'), 'Bearer');
    });

    test('a token covering the selectors streams them and only them', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services/api-1'] });
      const s = await stream(relay.url, { topics: 'services/api-1,prices', headers: bearer(token) });
      assert.equal(s.status, 200);
      await s.waitFor((f) => f.some((x) => x.event === 'connected'));
      await publish(relay.url, [
        { topic: 'services', key: 'api-2', op: 'patch', data: { status: 'failed' } },
        { topic: 'services', key: 'api-1', op: 'patch', data: { status: 'completed' } },
      ]);
      await s.waitFor((f) => f.some((x) => x.event === 'change' && x.json.key === 'api-1'));
      assert.deepEqual(s.changes().map((e) => `${e.topic}/${e.key}`), ['services/api-1']);
    });

    test('403 names exactly the selectors the token does not cover', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services/api-1', 'pipelines'] });
      const s = await stream(relay.url, { topics: 'services/api-1,services/api-2,pipelines,secrets,prices', headers: bearer(token) });
      assert.equal(s.status, 403);
      assert.equal(s.body.error.code, 'forbidden');
      assert.match(s.body.error.message, /does not cover "services\/api-2,secrets"/);
      assert.deepEqual(s.body.error.selectors, ['services/api-2', 'secrets'], 'machine-readable, so a client can drop just these');
      assert.match(s.body.error.message, /"ops"/);
    });

    test('a key grant does not cover the whole topic', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services/api-1'] });
      const s = await stream(relay.url, { topics: 'services', headers: bearer(token) });
      assert.equal(s.status, 403);
      assert.match(s.body.error.message, /"services"/);
    });

    test('"*" covers every topic', async () => {
      const token = await mintToken({ sub: 'admin', topics: ['*'] });
      const s = await stream(relay.url, { topics: 'services,pipelines,anything', headers: bearer(token) });
      assert.equal(s.status, 200);
    });

    test('{sub} in the topics claim gives each user their own topic: targeted delivery', async () => {
      const u42 = await mintToken({ sub: 'u42', topics: 'notifications/{sub}' });
      const mine = await stream(relay.url, { topics: 'notifications/u42', headers: bearer(u42) });
      assert.equal(mine.status, 200);
      const theirs = await stream(relay.url, { topics: 'notifications/u43', headers: bearer(u42) });
      assert.equal(theirs.status, 403);
      assert.match(theirs.body.error.message, /notifications\/u43/);
      await mine.waitFor((f) => f.some((x) => x.event === 'connected'));
      await publish(relay.url, [
        { topic: 'notifications', key: 'u43', op: 'upsert', data: { text: 'not yours' } },
        { topic: 'notifications', key: 'u42', op: 'upsert', data: { text: 'yours' } },
      ]);
      await mine.waitFor((f) => f.some((x) => x.event === 'change'));
      assert.deepEqual(mine.changes().map((e) => e.data.text), ['yours']);
    });

    test('bad tokens are 401: wrong key, expired, malformed, no topics claim, unknown algorithm', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['wrong key', await mintToken({ sub: 'x', topics: ['*'], key: 'another-secret-0123456789abcdefghijkl' }), /signature does not verify/],
        ['expired', await mintToken({ sub: 'x', topics: ['*'], expiresIn: -5 }), /expired/],
        ['malformed', 'not.a-jwt', /malformed/],
        ['no topics', await mintToken({ sub: 'x' }), /"topics" claim is missing/],
        ['bad topics entry', await mintToken({ sub: 'x', topics: ['Bad Topic'] }), /"topics" claim/],
        ['{sub} without sub', await mintToken({ topics: ['notifications/{sub}'] }), /no "sub" claim/],
        ['HS512', await mintToken({ sub: 'x', topics: ['*'], alg: 'HS512' }), /algorithm/],
      ];
      for (const [name, token, message] of cases) {
        const s = await stream(relay.url, { topics: 'services', headers: bearer(token) });
        assert.equal(s.status, 401, name);
        assert.equal(s.body.error.code, 'unauthorized', name);
        assert.match(s.body.error.message, message, name);
        assert.match(s.headers.get('www-authenticate') ?? '', /invalid_token/, name);
        assert.ok(!JSON.stringify(s.body).includes(token), `${name}: the answer must not echo the token`);
      }
    });

    test('a stale token does not break an anonymous reader of public topics', async () => {
      const expired = await mintToken({ sub: 'x', topics: ['*'], expiresIn: -5 });
      const s = await stream(relay.url, { topics: 'prices', headers: { Cookie: `live_token=${expired}` } });
      assert.equal(s.status, 200);
    });

    test('refusals are counted by reason in /metrics', async () => {
      const text = await metricsText(relay.url);
      assert.match(text, /^live_readers_refused_total\{reason="missing"\} [1-9]/m);
      assert.match(text, /^live_readers_refused_total\{reason="not-covered"\} [1-9]/m);
      assert.match(text, /^live_readers_refused_total\{reason="expired"\} [1-9]/m);
    });
  });

  describe('token sources', () => {
    test('the live_token cookie', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services'] });
      const s = await stream(relay.url, { topics: 'services', headers: { Cookie: `theme=dark; live_token=${token}; other=1` } });
      assert.equal(s.status, 200);
    });

    test('the token query parameter (for a plain EventSource)', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services'] });
      const s = await stream(relay.url, { topics: 'services', query: { token } });
      assert.equal(s.status, 200);
      const snap = await get(`/v1/topics/services?token=${token}`);
      assert.equal(snap.status, 200);
    });

    test('the header wins over the cookie, the cookie over the query', async () => {
      const good = await mintToken({ sub: 'ops', topics: ['services'] });
      const narrow = await mintToken({ sub: 'ops', topics: ['pipelines'] });
      const viaHeader = await stream(relay.url, { topics: 'services', headers: { ...bearer(narrow), Cookie: `live_token=${good}` } });
      assert.equal(viaHeader.status, 403);
      const viaCookie = await stream(relay.url, { topics: 'services', headers: { Cookie: `live_token=${narrow}` }, query: { token: good } });
      assert.equal(viaCookie.status, 403);
      const headerGood = await stream(relay.url, { topics: 'services', headers: { ...bearer(good), Cookie: `live_token=${narrow}` }, query: { token: narrow } });
      assert.equal(headerGood.status, 200);
    });
  });

  describe('snapshots: no side door', () => {
    test('anonymous: public topics only', async () => {
      assert.equal((await get('/v1/topics/prices')).status, 200);
      const r = await get('/v1/topics/services');
      assert.equal(r.status, 401);
      assert.match(r.body.error.message, /"services" is not public/);
    });

    test('a key grant reads the snapshot narrowed to its keys, not the whole topic', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services/api-1'] });
      const whole = await get('/v1/topics/services', bearer(token));
      assert.equal(whole.status, 403);
      assert.match(whole.body.error.message, /"services"/);
      const narrowed = await get('/v1/topics/services?keys=api-1', bearer(token));
      assert.equal(narrowed.status, 200);
      assert.deepEqual(Object.keys(narrowed.body.items), ['api-1']);
      const more = await get('/v1/topics/services?keys=api-1,api-2', bearer(token));
      assert.equal(more.status, 403);
      assert.match(more.body.error.message, /"services\/api-2"/);
    });

    test('a topic grant reads the whole snapshot', async () => {
      const token = await mintToken({ sub: 'ops', topics: ['services'] });
      const r = await get('/v1/topics/services', bearer(token));
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body.items).sort(), ['api-1', 'api-2']);
    });

    test('bad selectors still answer 400 from the route', async () => {
      assert.equal((await get('/v1/topics/Bad%20Topic')).status, 400);
      assert.equal((await get('/v1/topics/services?keys=a&keys=b')).status, 400);
    });
  });

  describe('series: no side door', () => {
    test('a private topic needs a token covering the key', async () => {
      const anon = await get('/v1/series/pipelines/build?period=all');
      assert.equal(anon.status, 401);
      const other = await get('/v1/series/pipelines/build?period=all', bearer(await mintToken({ sub: 'ops', topics: ['pipelines/deploy'] })));
      assert.equal(other.status, 403);
      assert.match(other.body.error.message, /"pipelines\/build"/);
      const ok = await get('/v1/series/pipelines/build?period=all', bearer(await mintToken({ sub: 'ops', topics: ['pipelines/build'] })));
      assert.equal(ok.status, 200);
      assert.equal(ok.body.key, 'build');
    });

    test('public series need no token', async () => {
      const r = await get('/v1/series/prices/4151?period=all');
      assert.equal(r.status, 200);
    });
  });
});
