import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getFrom } from '../helpers/raw-http.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';
import { waitUntil } from '../helpers/wait.js';
import { hubIdentityCount, hubStreams } from '../helpers/internals.js';

/** Token life on open streams: expiry closes them, resuming with a fresh token loses nothing; limits count by `sub`. */
describe('reader authorization on open streams', () => {
  const relays: InProcessRelay[] = [];
  const streams: TestStream[] = [];
  const closers: Array<() => void> = [];
  const relay = async (config = {}) => {
    const r = await startRelay({ config: { SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: ['prices'], ...config } });
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
    for (const c of closers) c();
    for (const r of relays) await r.close();
  });

  test('a stream ends with timeout token-expired when its token expires; a fresh token resumes by id without loss', async () => {
    const r = await relay();
    const short = await mintToken({ sub: 'u1', topics: ['orders'], expiresIn: 2 });
    const first = await stream(r.url, { topics: 'orders', headers: { Authorization: `Bearer ${short}` } });
    assert.equal(first.status, 200);
    await first.waitFor((f) => f.some((x) => x.event === 'connected'));
    await publish(r.url, { topic: 'orders', key: 'a', op: 'upsert', data: { n: 1 } });
    await first.waitFor((f) => f.some((x) => x.event === 'change'));
    await first.ended;
    const last = first.frames.at(-1)!;
    assert.equal(last.event, 'timeout');
    assert.deepEqual(last.json, { reason: 'token-expired' });
    // The timer went with the stream: nothing left in the hub.
    await waitUntil(() => r.ctx.clients.size === 0 && hubIdentityCount(r.ctx.clients) === 0, 'the hub to forget the expired stream');

    // Published while the reader was away: the resumed stream must bring it.
    await publish(r.url, { topic: 'orders', key: 'b', op: 'upsert', data: { n: 2 } });
    const resumeFrom = first.changes().at(-1).id as string;
    const stale = await stream(r.url, { topics: 'orders', headers: { Authorization: `Bearer ${short}` }, lastEventId: resumeFrom });
    assert.equal(stale.status, 401);
    assert.match(stale.body.error.message, /expired/);
    const fresh = await mintToken({ sub: 'u1', topics: ['orders'], expiresIn: 600 });
    const second = await stream(r.url, { topics: 'orders', headers: { Authorization: `Bearer ${fresh}` }, lastEventId: resumeFrom });
    assert.equal(second.status, 200);
    await second.waitFor((f) => f.some((x) => x.event === 'change'));
    await publish(r.url, { topic: 'orders', key: 'c', op: 'upsert', data: { n: 3 } });
    await second.waitFor((f) => f.filter((x) => x.event === 'change').length === 2);
    assert.deepEqual([...first.changes(), ...second.changes()].map((e) => e.key), ['a', 'b', 'c']);
    assert.ok(!second.frames.some((x) => x.event === 'reset'));
  });

  test('a token outliving MAX_LIFETIME_MS ends by lifetime, not expiry', async () => {
    const r = await relay({ MAX_LIFETIME_MS: 1000 });
    const token = await mintToken({ sub: 'u1', topics: ['orders'], expiresIn: 3600 });
    const s = await stream(r.url, { topics: 'orders', headers: { Authorization: `Bearer ${token}` } });
    await s.ended;
    assert.deepEqual(s.frames.at(-1)?.json, { reason: 'lifetime' });
  });

  test('a disconnect clears the expiry timer', async () => {
    const r = await relay();
    const token = await mintToken({ sub: 'u1', topics: ['orders'], expiresIn: 3600 });
    const s = await stream(r.url, { topics: 'orders', headers: { Authorization: `Bearer ${token}` } });
    await s.waitFor((f) => f.some((x) => x.event === 'connected'));
    const client = hubStreams(r.ctx.clients)[0];
    assert.ok(client.lifetimeTimer);
    assert.equal(client.expiresAt! > Date.now(), true);
    s.close();
    await waitUntil(() => r.ctx.clients.size === 0, 'the hub to forget the stream');
    assert.equal(client.lifetimeTimer, null);
  });

  test('MAX_CLIENTS_PER_IDENTITY counts token holders by sub across addresses, anonymous readers by address', async () => {
    const r = await relay({ MAX_CLIENTS_PER_IDENTITY: 2 });
    const alice = await mintToken({ sub: 'alice', topics: ['orders'] });
    const bob = await mintToken({ sub: 'bob', topics: ['orders'] });
    const open = async (from: string, topics: string, token?: string) => {
      const res = await getFrom(`${r.url}/v1/events?topics=${topics}`, from, token ? { Authorization: `Bearer ${token}` } : {});
      closers.push(res.close);
      return res.status;
    };
    // alice from two addresses: one identity.
    assert.equal(await open('127.0.0.2', 'orders', alice), 200);
    assert.equal(await open('127.0.0.3', 'orders', alice), 200);
    const third = await getFrom(`${r.url}/v1/events?topics=orders`, '127.0.0.4', { Authorization: `Bearer ${alice}` });
    closers.push(third.close);
    assert.equal(third.status, 429);
    assert.match(third.body, /MAX_CLIENTS_PER_IDENTITY/);
    // bob shares 127.0.0.2 with alice, and anonymous readers there have their own count.
    assert.equal(await open('127.0.0.2', 'orders', bob), 200);
    assert.equal(await open('127.0.0.2', 'prices'), 200);
    assert.equal(await open('127.0.0.2', 'prices'), 200);
    assert.equal(await open('127.0.0.2', 'prices'), 429);
    assert.equal(r.ctx.clients.countFor('sub:alice'), 2);
    assert.equal(r.ctx.clients.countFor('sub:bob'), 1);
    assert.equal(r.ctx.clients.countFor('addr:127.0.0.2'), 2);
  });
});
