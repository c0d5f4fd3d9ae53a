// Fan-out: N clients on one topic, ~200-byte events published three ways — batches at a fixed
// rate, one event per request at a fixed rate, and batches as fast as the server takes them — for
// each server side by side. Servers are measured in interleaved rounds (the order rotates each
// round), so a slow minute of the shared machine hits every server alike; each figure is the
// median of the rounds with its range. Server, publisher and load generators are separate
// processes; a Redis-backed server's redis-server CPU is counted with its own.
import { percentile } from '../test/helpers/percentile.mjs';
import { SERVERS, cpuSecondsOf, startLoadgen, startPublisher, startServer, writeCallsOf } from './processes.mjs';

export const MODES = ['fixed', 'single', 'max'];

/**
 * Runs the fan-out section for `servers` (kinds from SERVERS) over `repeats` interleaved rounds and
 * returns one row per server: for each mode, every figure as {median, min, max}, plus the lost
 * deliveries and closed clients summed over all rounds.
 */
export async function fanout({ servers, clients, rate, singleRate, durationMs, maxBatch, repeats, log }) {
  const runs = new Map(servers.map((k) => [k, []]));
  for (let round = 0; round < repeats; round++) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    log(`  round ${round + 1} of ${repeats}: ${order.join(', ')}`);
    for (const kind of order) runs.get(kind).push(await measureServer(kind, { clients, rate, singleRate, durationMs, maxBatch, log }));
  }
  return servers.map((kind) => summarize(kind, runs.get(kind)));
}

/** One round of one server: connect the clients, warm up, then each mode once. */
async function measureServer(kind, { clients, rate, singleRate, durationMs, maxBatch, log }) {
  const server = await startServer(kind);
  // Two load generators share the receiving, so the measuring side is less often the limit.
  const loadgens = [startLoadgen(), startLoadgen()];
  const publisher = startPublisher();
  try {
    const half = [Math.ceil(clients / 2), Math.floor(clients / 2)];
    const conns = await Promise.all(loadgens.map((lg, i) => lg.call('connect', { url: server.url, topics: 'bench', count: half[i], addresses: [`127.0.0.${2 + i}`], sampleEvery: 10 })));
    const connected = conns.map((c) => c.ok);
    const ok = connected[0] + connected[1];
    if (ok < clients) throw new Error(`${kind}: only ${ok} of ${clients} clients connected: ${JSON.stringify(conns.map((x) => x.failures))}`);
    const cpu = () => cpuSecondsOf(server.pid);
    const redisCpu = () => (server.redisPid ? cpuSecondsOf(server.redisPid) : 0);
    const run = async (mode, ms) => {
      await Promise.all(loadgens.map((lg) => lg.call('reset')));
      const cpu0 = cpu();
      const redis0 = redisCpu();
      const writes0 = writeCallsOf(server.pid);
      const spec = {
        fixed: { rate, batch: maxBatch },
        single: { rate: singleRate, perRequest: 1 },
        max: { rate: 0, batch: maxBatch },
      }[mode];
      const p = await publisher.call('publish', { url: server.url, topic: 'bench', durationMs: ms, eventBytes: 200, ...spec });
      const expected = p.sent * ok;
      const drained = await Promise.all(loadgens.map((lg, i) => lg.call('drain', { expected: p.sent * connected[i] })));
      const frames = drained[0].frames + drained[1].frames;
      const lastFrameAt = Math.max(drained[0].lastFrameAt, drained[1].lastFrameAt);
      const s = await mergedStats(loadgens);
      const seconds = (Math.max(lastFrameAt, p.endedAt) - p.startedAt) / 1000;
      const serverCpu = cpu() - cpu0;
      const redisServerCpu = redisCpu() - redis0;
      const writes = writeCallsOf(server.pid) - writes0;
      const publishSeconds = (p.endedAt - p.startedAt) / 1000;
      return {
        published: p.sent,
        publishedPerSecond: p.sent / publishSeconds,
        requestsPerSecond: p.requests / publishSeconds,
        delivered: frames,
        lost: expected - frames,
        perSecond: frames / seconds,
        p50: s.p50,
        p99: s.p99,
        serverCpu,
        redisCpu: redisServerCpu,
        // Deliveries per CPU-second of the server (and its redis-server, if any): what it could do
        // with a core of its own. On a shared machine this holds better than wall-clock rates.
        perCpuSecond: serverCpu > 0 ? frames / (serverCpu + redisServerCpu) : null,
        // Write system calls per client per publish request: 1 means one write per client per
        // batch; fewer means writes coalesced across requests; more means one write per event.
        writesPerClientPerPublish: p.requests > 0 ? writes / (ok * p.requests) : null,
        closed: s.closed,
      };
    };
    await run('fixed', 1000); // warm-up: JIT, sockets
    const row = {};
    for (const mode of MODES) {
      row[mode] = await run(mode, durationMs);
      const r = row[mode];
      log(`    ${kind} ${mode}: ${fmt(r.requestsPerSecond, 0)} req/s, ${fmt(r.publishedPerSecond, 0)} ev/s published, ${fmt(r.perSecond, 0)} deliveries/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, CPU ${r.serverCpu.toFixed(2)} s${server.redisPid ? ` + redis ${r.redisCpu.toFixed(2)} s` : ''} = ${fmt(r.perCpuSecond, 0)} deliveries per CPU-second, ${fmt(r.writesPerClientPerPublish, 2)} writes per client per publish${r.lost ? `, ${r.lost} NOT delivered` : ''}${r.closed ? `, ${r.closed} clients closed` : ''}`);
    }
    return row;
  } finally {
    await publisher.stop();
    for (const lg of loadgens) await lg.stop();
    await server.stop();
  }
}

/** Median and range of every figure over the rounds; losses and closes are summed. */
function summarize(kind, rounds) {
  const row = { kind, label: SERVERS[kind].label, rounds: rounds.length };
  for (const mode of MODES) {
    const figures = {};
    for (const key of Object.keys(rounds[0][mode])) {
      const values = rounds.map((r) => r[mode][key]).filter((v) => v !== null && Number.isFinite(v));
      figures[key] = key === 'lost' || key === 'closed' ? values.reduce((a, b) => a + b, 0) : spread(values);
    }
    row[mode] = figures;
  }
  return row;
}

/** {median, min, max} of `values` (null when there are none). */
export function spread(values) {
  if (values.length === 0) return { median: null, min: null, max: null };
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1] };
}

/** Frames, closes and latency percentiles over every load generator's samples. */
async function mergedStats(loadgens) {
  const all = await Promise.all(loadgens.map((lg) => lg.call('latencies')));
  const lat = Float64Array.from(all.flatMap((a) => a.latencies)).sort();
  const pct = (p) => (lat.length ? percentile(lat, p) : null);
  return { p50: pct(50), p99: pct(99), closed: all.reduce((n, a) => n + a.closed, 0) };
}

const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
