import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/config.js';
import { getFrom } from '../helpers/raw-http.js';
import { openStream, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';
import { metricsText } from '../helpers/metrics.mjs';

/** Stream limits and housekeeping: heartbeat, lifetime, client limits, CORS. */
describe('stream limits', () => {
  const relays: InProcessRelay[] = [];
  const streams: TestStream[] = [];
  const relay = async (config = {}) => {
    const r = await startRelay({ config });
    relays.push(r);
    return r;
  };
  const stream = async (...args: Parameters<typeof openStream>) => {
    const s = await openStream(...args);
    streams.push(s);
    return s;
  };
  after(async () => {
    for (const s of streams) s.close();
    for (const r of relays) await r.close();
  });

  test('a heartbeat comment arrives every HEARTBEAT_MS', async () => {
    const r = await relay({ HEARTBEAT_MS: 100 });
    const s = await stream(r.url, { topics: 'quiet' });
    await s.waitFor(() => s.comments.filter((c) => c.trim() === 'ping').length >= 3, 5000, 'three pings');
  });

  test('after MAX_LIFETIME_MS the stream gets timeout (lifetime) and is closed', async () => {
    const r = await relay({ MAX_LIFETIME_MS: 1000 });
    const s = await stream(r.url, { topics: 't' });
    await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
    await s.ended;
    assert.deepEqual(s.frames.at(-1)?.json, { reason: 'lifetime' });
    assert.equal(s.frames.at(-1)?.event, 'timeout');
    await waitUntil(() => r.ctx.clients.size === 0, 'the hub to forget the stream');
  });

  test('MAX_CLIENTS refuses with 429 JSON; a slot frees when a stream closes', async () => {
    const r = await relay({ MAX_CLIENTS: 2, MAX_CLIENTS_PER_IDENTITY: 10 });
    const a = await stream(r.url, { topics: 't' });
    const b = await stream(r.url, { topics: 't' });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const c = await stream(r.url, { topics: 't' });
    assert.equal(c.status, 429);
    assert.equal(c.body.error.code, 'too_many_clients');
    assert.match(c.body.error.message, /MAX_CLIENTS/);
    assert.match(await metricsText(r.url), /^live_sse_clients 2$/m);
    a.close();
    await waitUntil(() => r.ctx.clients.size === 1, 'the closed stream to be released');
    const d = await stream(r.url, { topics: 't' });
    assert.equal(d.status, 200);
  });

  test('MAX_CLIENTS_PER_IDENTITY counts per client address', async () => {
    const r = await relay({ MAX_CLIENTS_PER_IDENTITY: 2 });
    const url = `${r.url}/v1/events?topics=t`;
    const one = await getFrom(url, '127.0.0.1');
    const two = await getFrom(url, '127.0.0.1');
    try {
      assert.equal(one.status, 200);
      assert.equal(two.status, 200);
      const three = await getFrom(url, '127.0.0.1');
      assert.equal(three.status, 429);
      assert.match(JSON.parse(three.body).error.message, /MAX_CLIENTS_PER_IDENTITY/);
      const other = await getFrom(url, '127.0.0.2');
      assert.equal(other.status, 200, 'another address has its own allowance');
      other.close();
    } finally {
      one.close();
      two.close();
    }
  });

  test('TRUST_PROXY: behind a load balancer each visitor counts by its X-Forwarded-For address, never by what it wrote itself', async () => {
    const url = (r: InProcessRelay) => `${r.url}/v1/events?topics=t`;
    const open: { close(): void }[] = [];
    const get = async (u: string, xff?: string) => {
      const res = await getFrom(u, '127.0.0.1', xff ? { 'X-Forwarded-For': xff } : {});
      open.push(res);
      return res.status;
    };
    try {
      // Without TRUST_PROXY the header is ignored: everything from the balancer is one address.
      const direct = await relay({ MAX_CLIENTS_PER_IDENTITY: 1 });
      assert.equal(await get(url(direct), '198.51.100.1'), 200);
      assert.equal(await get(url(direct), '198.51.100.2'), 429, 'a header alone must not buy another allowance');

      // One proxy in front: the address it appended (the rightmost) is the visitor.
      const lb = await relay({ MAX_CLIENTS_PER_IDENTITY: 1, TRUST_PROXY: 1 });
      assert.equal(await get(url(lb), '198.51.100.1'), 200);
      assert.equal(await get(url(lb), '198.51.100.2'), 200, 'another visitor behind the same balancer');
      assert.equal(await get(url(lb), '198.51.100.1'), 429, 'the same visitor again');
      assert.equal(await get(url(lb), '10.9.9.9, 198.51.100.1'), 429, 'a client-written entry on the left changes nothing');
      assert.equal(await get(url(lb)), 200, 'no header: the peer itself is the visitor');
    } finally {
      for (const o of open) o.close();
    }
  });

  test('TRUST_PROXY must be a small whole number', () => {
    assert.equal(loadConfig({}).TRUST_PROXY, 0);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'yes' }), /TRUST_PROXY="yes": must be a whole number/);
  });

  test('CORS: allowlisted origins only; preflight allows Last-Event-ID and Authorization', async () => {
    const r = await relay({ CORS_ORIGINS: ['https://a.example'] });
    const ok = await fetch(`${r.url}/v1/topics/t`, { headers: { Origin: 'https://a.example' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://a.example');
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    const no = await fetch(`${r.url}/v1/topics/t`, { headers: { Origin: 'https://evil.example' } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
    const pre = await fetch(`${r.url}/v1/events?topics=t`, { method: 'OPTIONS', headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'last-event-id,authorization' } });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-headers')!, /Last-Event-ID/);
    assert.match(pre.headers.get('access-control-allow-headers')!, /Authorization/);
    const s = await stream(r.url, { topics: 't', headers: { Origin: 'https://a.example' } });
    assert.equal(s.headers.get('access-control-allow-origin'), 'https://a.example', 'the stream carries CORS headers too');
    const any = await relay({ CORS_ORIGINS: ['*'] });
    const star = await fetch(`${any.url}/healthz`, { headers: { Origin: 'https://whoever.example' } });
    assert.equal(star.headers.get('access-control-allow-origin'), '*');
  });
});
