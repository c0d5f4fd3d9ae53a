#!/usr/bin/env node
// The load generator: its own process (forked by bench/run.mjs, driven over IPC), so the server
// it measures never shares its CPU time. It holds SSE clients on raw sockets spread over several
// 127.0.0.x source addresses, counts frames and heartbeats, and measures publish -> receive latency
// from the `t` (wall clock ms) each event carries.
import { percentile } from '../test/helpers/percentile.mjs';
import { openRawSse } from '../test/helpers/raw-sse.mjs';

/** Every open client (raw-sse.mjs). */
const clients = [];
let opened = 0;
let nextClientNumber = 0;
const counters = { lastFrameAt: 0, frames: 0, heartbeats: 0, closed: 0, latencies: [], heartbeatClients: new Set() };

function resetCounters() {
  counters.frames = 0;
  counters.lastFrameAt = 0;
  counters.heartbeats = 0;
  // Emptied in place: the sampled clients push to this array.
  counters.latencies.length = 0;
  counters.heartbeatClients = new Set();
}

/** The wall clock in ms with sub-ms precision, the clock the publisher writes into each event's `t`. */
const wall = () => performance.timeOrigin + performance.now();

/**
 * Opens one client. Every client counts change frames and pings; a sampled client also measures
 * each frame's latency from its `"t":`. Unsampled clients only count, which keeps this process from
 * being the bottleneck it measures.
 */
async function openClient(url, topics, localAddress, sampled) {
  const n = nextClientNumber++;
  const onFrames = (changes, pings, now) => {
    if (changes) {
      counters.frames += changes;
      counters.lastFrameAt = now;
    }
    if (pings) {
      counters.heartbeats += pings;
      counters.heartbeatClients.add(n);
    }
  };
  let client;
  try {
    client = await openRawSse({ url, topics, localAddress, latencies: sampled ? counters.latencies : null, clock: wall, onFrames });
  } catch (err) {
    return { ok: false, status: err.code };
  }
  const status = await client.status;
  if (status !== '200') {
    client.close();
    return { ok: false, status };
  }
  client.socket.once('close', () => counters.closed++);
  clients.push(client);
  return { ok: true };
}

/** Opens `count` clients, `parallel` at a time, over the given source addresses. */
async function connectMany({ url, topics, count, addresses, sampleEvery, parallel = 200 }) {
  let ok = 0;
  const failures = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await openClient(url, topics, addresses[i % addresses.length], sampleEvery > 0 && opened++ % sampleEvery === 0);
      if (r.ok) ok++;
      else failures[r.status] = (failures[r.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { ok, failures, open: clients.length - counters.closed };
}

/**
 * Waits until `expected` change frames arrived since the last reset (or `timeoutMs` passed without
 * progress) and returns how many did and when the last one came (wall clock ms).
 */
async function drain({ expected, timeoutMs = 5000 }) {
  let seen = counters.frames;
  let idleSince = performance.now();
  while (counters.frames < expected) {
    await new Promise((r) => setTimeout(r, 5));
    if (counters.frames !== seen) {
      seen = counters.frames;
      idleSince = performance.now();
    } else if (performance.now() - idleSince > timeoutMs) break;
  }
  return { frames: counters.frames, lastFrameAt: counters.lastFrameAt };
}

function stats() {
  const lat = Float64Array.from(counters.latencies).sort();
  return {
    frames: counters.frames,
    heartbeats: counters.heartbeats,
    heartbeatClients: counters.heartbeatClients.size,
    open: clients.length - counters.closed,
    closed: counters.closed,
    // Sent over IPC as JSON: NaN (no samples) arrives as null.
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    samples: lat.length,
  };
}

const commands = {
  connect: connectMany,
  drain,
  reset: async () => resetCounters(),
  stats: async () => stats(),
  latencies: async () => ({ latencies: counters.latencies, closed: counters.closed }),
  closeAll: async () => {
    for (const c of clients) c.socket.destroy();
    clients.length = 0;
    counters.closed = 0;
    resetCounters();
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, result });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
