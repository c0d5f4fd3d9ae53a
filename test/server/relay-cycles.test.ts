import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { publish, startRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';
import { busListenerCount, hubIdentityCount } from '../helpers/internals.js';
import { metricsText } from '../helpers/metrics.mjs';

const CYCLES = 10_000;
const PARALLEL = 16;

/** Handles and timers of this process, by type. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** One stream opened on a raw socket, read until `connected`, then dropped by the client. */
function cycle(port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let seen = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      seen += d;
      if (seen.includes('event: connected')) {
        s.destroy();
        resolve();
      }
    });
    s.on('error', reject);
    s.on('close', () => (seen.includes('event: connected') ? resolve() : reject(new Error(`cycle ${i}: closed before connected: ${seen.slice(0, 200)}`))));
    // Alternate fresh and resuming streams so both paths are exercised.
    const resume = i % 2 ? 'Last-Event-ID: 0-0\r\n' : '';
    s.write(`GET /v1/events?topics=t,u/k${i % 5} HTTP/1.1\r\nHost: 127.0.0.1\r\n${resume}Connection: close\r\n\r\n`);
  });
}

test(`${CYCLES} connect/disconnect cycles leave no listeners, timers or clients behind`, { timeout: 180_000 }, async () => {
  const bus = new MemoryBus(TEST_BUS_OPTIONS);
  const r = await startRelay({ bus, config: { MAX_CLIENTS_PER_IDENTITY: 1000, HEARTBEAT_MS: 60_000 } });
  try {
    const port = Number(new URL(r.url).port);
    await publish(r.url, { topic: 't', key: 'a', op: 'upsert', data: 1 });
    // Warm up once so lazily created handles exist before the baseline is taken.
    await cycle(port, 0);
    await waitUntil(() => r.ctx.clients.size === 0, 'the warm-up stream to be released');
    const listenersBefore = busListenerCount(bus);
    const before = resources();
    let next = 1;
    let mostListeners = 0;
    const worker = async () => {
      while (next <= CYCLES) {
        await cycle(port, next++);
        mostListeners = Math.max(mostListeners, busListenerCount(bus));
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    await waitUntil(() => r.ctx.clients.size === 0, 'every stream to be released', 20_000);
    await waitUntil(() => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0), 'every socket to be closed', 20_000);
    assert.equal(hubIdentityCount(r.ctx.clients), 0, 'no per-identity counts left');
    assert.equal(busListenerCount(bus), listenersBefore, 'the bus has no extra listeners');
    assert.equal(mostListeners, listenersBefore, "streams share the hub's one bus subscription, never one each");
    const now = resources();
    assert.ok((now.Timeout ?? 0) <= (before.Timeout ?? 0), `no timers left: before ${JSON.stringify(before)}, after ${JSON.stringify(now)}`);
    assert.match(await metricsText(r.url), /^live_sse_clients 0$/m);
    const res = await fetch(`${r.url}/readyz`);
    assert.equal(res.status, 200, 'the relay still serves');
  } finally {
    await r.close();
  }
});
