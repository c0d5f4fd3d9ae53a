#!/usr/bin/env node
// The load generator: its own process (forked by bench/run.mjs, driven over IPC), so the server
// it measures never shares its CPU time. It holds SSE clients on raw sockets spread over several
// 127.0.0.x source addresses, counts frames and heartbeats, and measures publish -> receive latency
// from the `t` (wall clock ms) each event carries.
import { connect } from 'node:net';
import { percentile } from '../test/helpers/percentile.mjs';

// `event: change` (the relay, the ceiling) or `event:change` (better-sse): both end in this, and a
// data line (one line of JSON ending in `}`) never does.
const CHANGE = 'change\n';
const PING = ': ping\n';
const T_FIELD = '"t":';

/** Every open client: {socket, sampled, tail}. */
const clients = [];
let opened = 0;
let nextClientNumber = 0;
const counters = { lastFrameAt: 0, frames: 0, heartbeats: 0, closed: 0, latencies: [], heartbeatClients: new Set() };

function resetCounters() {
  counters.frames = 0;
  counters.lastFrameAt = 0;
  counters.heartbeats = 0;
  counters.latencies = [];
  counters.heartbeatClients = new Set();
}

/**
 * Parses what arrived: counts change frames and pings; a sampled client also reads each frame's
 * `"t":` (publish time, performance.now() of this process) to measure latency. Unsampled clients
 * only count, which keeps this process from being the bottleneck it measures.
 */
function onData(client, text) {
  const now = performance.now();
  const buf = client.tail + text;
  const end = buf.lastIndexOf('\n\n');
  if (end < 0) {
    client.tail = buf;
    return;
  }
  client.tail = buf.slice(end + 2);
  let at = buf.indexOf(CHANGE);
  if (at >= 0 && at < end) counters.lastFrameAt = performance.timeOrigin + now;
  while (at >= 0 && at < end) {
    counters.frames++;
    const frameEnd = buf.indexOf('\n\n', at);
    if (client.sampled) {
      const t = buf.indexOf(T_FIELD, at);
      if (t >= 0 && t < frameEnd) counters.latencies.push(performance.timeOrigin + now - Number.parseFloat(buf.slice(t + 4, t + 24)));
    }
    at = buf.indexOf(CHANGE, frameEnd);
  }
  let p = buf.indexOf(PING);
  while (p >= 0 && p < end) {
    counters.heartbeats++;
    counters.heartbeatClients.add(client.n);
    p = buf.indexOf(PING, p + 1);
  }
}

function openClient(url, topics, localAddress, sampled) {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    const client = { socket, sampled, tail: '', n: nextClientNumber++, ok: false };
    let head = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`GET /v1/events?topics=${topics} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`));
    const onHead = (text) => {
      head += text;
      const split = head.indexOf('\r\n\r\n');
      if (split < 0) return;
      socket.off('data', onHead);
      client.ok = head.startsWith('HTTP/1.1 200');
      if (!client.ok) {
        socket.destroy();
        return resolve({ ok: false, status: head.slice(9, 12) });
      }
      socket.on('data', (t) => onData(client, t));
      onData(client, head.slice(split + 4));
      clients.push(client);
      resolve({ ok: true });
    };
    socket.on('data', onHead);
    socket.once('error', (err) => resolve({ ok: false, status: err.code }));
    socket.once('close', () => {
      if (client.ok) counters.closed++;
    });
  });
}

/** Opens `count` clients, `parallel` at a time, over the given source addresses. */
async function connectMany({ url, topics, count, addresses, sampleEvery, parallel = 200 }) {
  const u = new URL(url);
  let ok = 0;
  const failures = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await openClient(u, topics, addresses[i % addresses.length], sampleEvery > 0 && opened++ % sampleEvery === 0);
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
