import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../server/app.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busOptions } from '../../server/bus/create-bus.js';
import { loadConfig, type Config } from '../../server/config.js';
import { testConfig } from '../helpers/config.js';
import { createContext, type RelayContext } from '../../server/context.js';
import { addressIdentity } from '../../server/identity.js';
import { serveWithPeer, type PeerServer } from '../helpers/peer-address.js';
import { getFrom } from '../helpers/raw-http.js';

// Issue 12, item 6. MAX_CLIENTS_PER_IDENTITY keyed on the full address: one IPv6 subscriber holds a
// whole /64, 2^64 addresses, so it could open streams without limit and fill MAX_CLIENTS.

test('IPv6 addresses count by their /64; IPv4 (also mapped) by the address', () => {
  const a = addressIdentity('2001:db8:1:2:aaaa:bbbb:cccc:1', 64);
  assert.equal(a, '2001:db8:1:2:0:0:0:0/64');
  assert.equal(addressIdentity('2001:0db8:0001:0002::ffff', 64), a, 'another address of the same /64, written otherwise');
  assert.equal(addressIdentity('2001:db8:1:2:1:2:3:4%eth0', 64), a, 'a zone index is not part of the identity');
  assert.notEqual(addressIdentity('2001:db8:1:3::1', 64), a, 'the next /64 is someone else');
  assert.equal(addressIdentity('2001:db8:1:2:aaaa::1', 48), '2001:db8:1:0:0:0:0:0/48');
  assert.equal(addressIdentity('2001:db8:1:2:aaaa::1', 56), '2001:db8:1:0:0:0:0:0/56');
  assert.equal(addressIdentity('2001:db8:1:2ff:aaaa::1', 56), '2001:db8:1:200:0:0:0:0/56');
  assert.equal(addressIdentity('2001:db8::1', 128), '2001:db8:0:0:0:0:0:1/128');
  assert.equal(addressIdentity('::1', 64), '0:0:0:0:0:0:0:0/64');
  assert.equal(addressIdentity('64:ff9b::192.0.2.33', 96), '64:ff9b:0:0:0:0:0:0/96');
  assert.equal(addressIdentity('203.0.113.9', 64), '203.0.113.9');
  assert.equal(addressIdentity('::ffff:203.0.113.9', 64), '203.0.113.9');
  assert.equal(addressIdentity('unknown', 64), 'unknown');
});

test('IPV6_PREFIX_BITS is validated and defaults to 64', () => {
  assert.equal(loadConfig({}).IPV6_PREFIX_BITS, 64);
  assert.equal(loadConfig({ IPV6_PREFIX_BITS: '56' }).IPV6_PREFIX_BITS, 56);
  assert.throws(() => loadConfig({ IPV6_PREFIX_BITS: '129' }), /IPV6_PREFIX_BITS="129": must be at most 128/);
});

const servers: Array<{ server: PeerServer; ctx: RelayContext }> = [];
after(async () => {
  for (const { server, ctx } of servers) {
    await ctx.close();
    await server.close();
  }
});

/**
 * A relay whose visitors come from `2001:db8:0:7::N` for a client on 127.0.0.N: real sockets, one
 * /64, a different address per client.
 */
async function relayOnOneSlash64(overrides: Partial<Config>): Promise<string> {
  const config = testConfig({ MAX_CLIENTS_PER_IDENTITY: 2, ...overrides });
  const ctx = createContext(config, new MemoryBus(busOptions(config)));
  const server = await serveWithPeer(createApp(ctx), (peer) => `2001:db8:0:7::${peer.split('.')[3]}`);
  servers.push({ server, ctx });
  return server.url;
}

async function openFromAddresses(url: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await getFrom(`${url}/v1/events?topics=prices`, `127.0.0.${10 + i}`);
    statuses.push(res.status);
    if (res.status !== 200) res.close();
  }
  return statuses;
}

test('streams from many addresses of one /64 share its MAX_CLIENTS_PER_IDENTITY', async () => {
  const url = await relayOnOneSlash64({});
  assert.deepEqual(await openFromAddresses(url, 4), [200, 200, 429, 429]);
});

test('IPV6_PREFIX_BITS=128 counts every IPv6 address on its own', async () => {
  const url = await relayOnOneSlash64({ IPV6_PREFIX_BITS: 128 });
  assert.deepEqual(await openFromAddresses(url, 4), [200, 200, 200, 200]);
});
