// Fan-out: N clients on one topic, ~200-byte events published at a fixed rate and at the maximum
// the server takes, for each server side by side in one run. Server, publisher and load generator
// are three processes.
import { cpuSecondsOf, startLoadgen, startPublisher, startServer } from './processes.mjs';

/**
 * Runs the fan-out section for `servers` (kinds from SERVERS) and returns one row per server:
 * delivered events/s, p50/p99 latency at the fixed rate and at the maximum, server CPU seconds.
 */
export async function fanout({ servers, clients, rate, durationMs, maxBatch, log }) {
  const rows = [];
  for (const kind of servers) {
    const server = await startServer(kind);
    // Two load generators share the receiving, so the measuring side is less often the limit.
    const loadgens = [startLoadgen(), startLoadgen()];
    const publisher = startPublisher();
    try {
      const half = [Math.ceil(clients / 2), Math.floor(clients / 2)];
      const conns = await Promise.all(loadgens.map((lg, i) => lg.call('connect', { url: server.url, topics: 'bench', count: half[i], addresses: [`127.0.0.${2 + i}`], sampleEvery: 10 })));
      const connected = conns.map((c) => c.ok);
      const c = { ok: connected[0] + connected[1] };
      if (c.ok < clients) throw new Error(`${kind}: only ${c.ok} of ${clients} clients connected: ${JSON.stringify(conns.map((x) => x.failures))}`);
      const run = async (mode, ms) => {
        await Promise.all(loadgens.map((lg) => lg.call('reset')));
        const cpu0 = cpuSecondsOf(server.pid);
        const p = await publisher.call('publish', { url: server.url, topic: 'bench', rate: mode === 'fixed' ? rate : 0, durationMs: ms, batch: maxBatch, eventBytes: 200 });
        const expected = p.sent * c.ok;
        const drained = await Promise.all(loadgens.map((lg, i) => lg.call('drain', { expected: p.sent * connected[i] })));
        const d = { frames: drained[0].frames + drained[1].frames, lastFrameAt: Math.max(drained[0].lastFrameAt, drained[1].lastFrameAt) };
        const s = await mergedStats(loadgens);
        const seconds = (Math.max(d.lastFrameAt, p.endedAt) - p.startedAt) / 1000;
        const serverCpu = cpuSecondsOf(server.pid) - cpu0;
        return {
          perCpuSecond: serverCpu > 0 ? Math.round(d.frames / serverCpu) : null,
          published: p.sent,
          publishedPerSecond: Math.round(p.sent / ((p.endedAt - p.startedAt) / 1000)),
          delivered: d.frames,
          lost: expected - d.frames,
          perSecond: Math.round(d.frames / seconds),
          p50: s.p50,
          p99: s.p99,
          // Deliveries per CPU-second of the server (perCpuSecond above): what it could do with a core
          // of its own. On a shared machine this holds better than wall-clock rates.
          serverCpu,
          closed: s.closed,
        };
      };
      await run('fixed', 1000); // warm-up: JIT, sockets
      const row = { kind, label: server.label };
      for (const mode of ['fixed', 'max']) {
        row[mode] = await run(mode, durationMs);
        const r = row[mode];
        log(`  ${kind} ${mode}: ${r.publishedPerSecond.toLocaleString('en')} ev/s published, ${r.perSecond.toLocaleString('en')} deliveries/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, server CPU ${r.serverCpu.toFixed(2)} s = ${(r.perCpuSecond ?? 0).toLocaleString('en')} deliveries per CPU-second${r.lost ? `, ${r.lost} NOT delivered` : ''}${r.closed ? `, ${r.closed} clients closed` : ''}`);
      }
      rows.push(row);
    } finally {
      await publisher.stop();
      for (const lg of loadgens) await lg.stop();
      await server.stop();
    }
  }
  return rows;
}

/** Frames, closes and latency percentiles over every load generator's samples. */
async function mergedStats(loadgens) {
  const all = await Promise.all(loadgens.map((lg) => lg.call('latencies')));
  const lat = Float64Array.from(all.flatMap((a) => a.latencies)).sort();
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] : null);
  return { p50: pct(50), p99: pct(99), closed: all.reduce((n, a) => n + a.closed, 0) };
}

const fmt = (v) => (v === null || v === undefined ? '-' : v.toFixed(1));
