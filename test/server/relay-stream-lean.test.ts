import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busOptions } from '../../server/bus/create-bus.js';
import { testConfig } from '../helpers/config.js';
import { createContext, type RelayContext } from '../../server/context.js';
import { openStream, publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { hubStreams } from '../helpers/internals.js';

/**
 * Streams are served without Express (what Express leaves on each request cost a held stream about
 * 4 kB), by the same handler the Express app mounts: both ways answer alike.
 */
describe('the stream route outside Express', () => {
  const relays: InProcessRelay[] = [];
  const servers: Server[] = [];
  const contexts: RelayContext[] = [];
  after(async () => {
    for (const r of relays) await r.close();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const c of contexts) await c.close();
  });

  /** A relay served the way relay-plugin does: only through createApp's Express app. */
  async function expressOnly(config: Parameters<typeof testConfig>[0]): Promise<{ url: string; ctx: RelayContext }> {
    const cfg = testConfig({ PORT: 0, HOST: '127.0.0.1', ...config });
    const ctx = createContext(cfg, new MemoryBus(busOptions(cfg)));
    contexts.push(ctx);
    const server = createServer(createApp(ctx));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ctx };
  }

  test('a held stream keeps node:http objects, not Express-decorated ones', async () => {
    const r = await startRelay();
    relays.push(r);
    const s = await openStream(r.url, { topics: 't' });
    try {
      await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
      const [client] = hubStreams(r.ctx.clients);
      assert.ok(client, 'the hub holds the stream');
      assert.equal(Object.getPrototypeOf(client.res), ServerResponse.prototype, 'res went through Express (its prototype was swapped)');
      await publish(r.url, { topic: 't', key: 'k', op: 'upsert', data: { v: 1 } });
      await s.waitFor((f) => f.some((x) => x.event === 'change'), 5000, 'the change');
    } finally {
      s.close();
    }
  });

  test('direct and through Express: same CORS, same 400, same stream', async () => {
    const origin = 'https://a.example';
    const direct = await startRelay({ config: { CORS_ORIGINS: [origin] } });
    relays.push(direct);
    const viaExpress = await expressOnly({ CORS_ORIGINS: [origin] });
    for (const url of [direct.url, viaExpress.url]) {
      const bad = await fetch(`${url}/v1/events?topics=Bad!`, { headers: { Origin: origin } });
      assert.equal(bad.status, 400, url);
      assert.equal(bad.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(bad.headers.get('access-control-allow-origin'), origin);
      assert.equal(bad.headers.get('vary'), 'Origin');
      const body = (await bad.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'bad_request');
      assert.match(body.error.message, /^topics: /);
      const s = await openStream(url, { topics: 't', headers: { Origin: 'https://evil.example' } });
      try {
        assert.equal(s.status, 200);
        assert.equal(s.headers.get('access-control-allow-origin'), null, 'a disallowed origin gets no CORS header');
        assert.equal(s.headers.get('vary'), 'Origin');
        await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, `connected on ${url}`);
      } finally {
        s.close();
      }
    }
    // Paths only Express matches (a trailing slash) still reach the same handler.
    const slash = await fetch(`${direct.url}/v1/events/?topics=Bad!`);
    assert.equal(slash.status, 400);
    assert.match(((await slash.json()) as { error: { message: string } }).error.message, /^topics: /);
  });
});
