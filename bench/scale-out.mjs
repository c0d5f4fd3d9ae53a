// Scale-out: idle SSE connections beyond what one process may hold here (hard open-file limit
// 20000 per process), held by several relay processes sharing one Redis — the relay's own way
// to grow past one process. Reports, per relay, the streams held, RSS per stream and whether
// every stream still gets its heartbeats; then one event published on the first relay must reach
// the streams of every relay (through Redis), which shows the relays serve as one.
import { PER_PROCESS_SOCKETS } from './connections.mjs';
import { publishOrThrow } from '../test/helpers/publish.mjs';
import { memoryOf } from '../test/helpers/process-memory.mjs';
import { startLoadgen, startBenchRedis, startServer } from './processes.mjs';

/** Load-generator processes per relay; each holds under PER_PROCESS_SOCKETS / 2 sockets. */
const LOADGENS_PER_RELAY = 2;

/**
 * Ramps `steps` (ascending totals over all relays) on `relays` relay processes (Redis bus, one
 * private redis-server), each fed by its own load generators over their own 127.0.0.x sources.
 */
export async function scaleOut({ relays, steps, heartbeatMs, log }) {
  const top = steps[steps.length - 1];
  const perRelayTop = Math.ceil(top / relays);
  if (perRelayTop > PER_PROCESS_SOCKETS) {
    throw new Error(`--relays ${relays}: ${perRelayTop.toLocaleString('en')} streams per relay is over the ${PER_PROCESS_SOCKETS.toLocaleString('en')} one process can hold here; use --relays ${Math.ceil(top / PER_PROCESS_SOCKETS)} or more`);
  }
  const perLoadgen = Math.ceil(perRelayTop / LOADGENS_PER_RELAY);
  const redis = await startBenchRedis();
  const servers = [];
  const loadgens = [];
  const result = { relays, heartbeatMs, steps: [] };
  try {
    for (let r = 0; r < relays; r++) {
      servers.push(await startServer('relay-redis', { REDIS_URL: redis.url, HEARTBEAT_MS: String(heartbeatMs) }));
      loadgens.push(Array.from({ length: LOADGENS_PER_RELAY }, startLoadgen));
    }
    await new Promise((res) => setTimeout(res, 1000));
    const base = servers.map((s) => memoryOf(s.pid).rss);
    const held = servers.map(() => loadgens[0].map(() => 0));
    for (const target of steps) {
      const started = Date.now();
      const perRelay = servers.map((_, r) => Math.floor(target / relays) + (r < target % relays ? 1 : 0));
      const failures = {};
      await Promise.all(
        servers.flatMap((server, r) =>
          loadgens[r].map(async (lg, g) => {
            const want = Math.max(0, Math.min(perLoadgen, perRelay[r] - g * perLoadgen)) - held[r][g];
            if (want <= 0) return;
            // Two source addresses per load generator, none shared: ~28k ephemeral ports each.
            const k = r * LOADGENS_PER_RELAY + g;
            const res = await lg.call('connect', { url: server.url, topics: 'idle', count: want, addresses: [`127.0.1.${2 + k * 2}`, `127.0.1.${3 + k * 2}`], sampleEvery: 0, parallel: 100 });
            held[r][g] += res.ok;
            for (const [code, count] of Object.entries(res.failures)) failures[code] = (failures[code] ?? 0) + count;
          }),
        ),
      );
      const rampSeconds = (Date.now() - started) / 1000;
      await new Promise((res) => setTimeout(res, 1000));
      const rss = servers.map((s) => memoryOf(s.pid).rss);
      for (const lg of loadgens.flat()) await lg.call('reset');
      await new Promise((res) => setTimeout(res, heartbeatMs * 2.5));
      const perProcess = [];
      for (let r = 0; r < relays; r++) {
        const stats = await Promise.all(loadgens[r].map((lg) => lg.call('stats')));
        const open = stats.reduce((a, s) => a + s.open, 0);
        const beating = stats.reduce((a, s) => a + s.heartbeatClients, 0);
        perProcess.push({ relay: r + 1, held: open, rss: rss[r], perConnection: Math.round((rss[r] - base[r]) / Math.max(1, open)), heartbeatDelivery: open ? beating / open : 0 });
      }
      const open = perProcess.reduce((a, p) => a + p.held, 0);
      for (const lg of loadgens.flat()) await lg.call('reset');
      await publishOrThrow(servers[0].url, { topic: 'idle', key: 'probe', op: 'upsert', data: { step: target } });
      const drained = await Promise.all(loadgens.flatMap((lgs, r) => lgs.map((lg, g) => lg.call('drain', { expected: held[r][g], timeoutMs: 10_000 }))));
      const reached = drained.reduce((a, d) => a + d.frames, 0);
      const step = { target, held: open, failures, rampSeconds, perProcess, eventReached: reached };
      result.steps.push(step);
      log(`  ${relays} relays, ${target.toLocaleString('en')}: ${open.toLocaleString('en')} held, an event published on relay 1 reached ${reached.toLocaleString('en')}${Object.keys(failures).length ? `, failures ${JSON.stringify(failures)}` : ''}`);
      for (const p of perProcess) log(`    relay ${p.relay}: ${p.held.toLocaleString('en')} held, RSS ${(p.rss / 2 ** 20).toFixed(0)} MB, ${(p.perConnection / 1024).toFixed(1)} kB/connection, heartbeats to ${(p.heartbeatDelivery * 100).toFixed(1)}%`);
      if (open < target * 0.99) break;
    }
  } finally {
    for (const lg of loadgens.flat()) await lg.stop();
    for (const s of servers) await s.stop();
    await redis.stop();
  }
  return result;
}
