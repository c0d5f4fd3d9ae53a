// Where one Redis ends. Every relay on the Redis bus appends to and tails the one log stream
// (`<prefix>log`) that holds every topic, so a single redis-server bounds the whole deployment.
// Two measurements decide when that bound is reached:
//   1. the highest publish rate the Redis bus sustains (one relay, publishing as fast as it
//      answers), with redis-server's and the relay's CPU;
//   2. redis-server's CPU per added relay (1, 3, 6 ... relays tailing the log) at a fixed rate.
// From (2) a straight line cpu(relays) is fitted, and the rate at which redis-server would use a
// whole core is worked out for larger deployments.
import { cpuSecondsOf, startLoadgen, startPublisher, startBenchRedis, startServer } from './processes.mjs';

/** Clients per relay: enough that every relay's tail delivers, few enough not to be the load. */
const CLIENTS_PER_RELAY = 20;

export async function redisLimits({ relayCounts, fixedRate, durationMs, maxBatch, log }) {
  const result = { fixedRate, durationMs, clientsPerRelay: CLIENTS_PER_RELAY };
  result.max = await measure({ relays: 1, rate: 0, durationMs, maxBatch });
  log(`  maximum: ${fmt(result.max.eventsPerSecond)} ev/s sustained through one relay; redis-server ${pct(result.max.redisCores)} of a core, relay ${pct(result.max.relayCores)}`);
  result.perRelays = [];
  for (const relays of relayCounts) {
    const r = await measure({ relays, rate: fixedRate, durationMs, maxBatch });
    result.perRelays.push(r);
    log(`  ${relays} relay(s) at ${fmt(r.eventsPerSecond)} ev/s: redis-server ${pct(r.redisCores)} of a core`);
  }
  result.fit = fitLine(result.perRelays.map((r) => [r.relays, r.redisCores / (r.eventsPerSecond / 1000)]));
  return result;
}

/** Redis, `relays` relays with their clients, and the publisher on relay 1 for `durationMs`. */
async function measure({ relays, rate, durationMs, maxBatch }) {
  const redis = await startBenchRedis();
  const servers = [];
  const loadgen = startLoadgen();
  const publisher = startPublisher();
  try {
    for (let i = 0; i < relays; i++) servers.push(await startServer('relay-redis', { REDIS_URL: redis.url }));
    for (const [i, s] of servers.entries()) {
      const c = await loadgen.call('connect', { url: s.url, topics: 'bench', count: CLIENTS_PER_RELAY, addresses: [`127.0.0.${2 + (i % 8)}`], sampleEvery: 0 });
      if (c.ok < CLIENTS_PER_RELAY) throw new Error(`relay ${i + 1}: only ${c.ok} of ${CLIENTS_PER_RELAY} clients connected`);
    }
    await publisher.call('publish', { url: servers[0].url, topic: 'bench', rate: rate || 1000, durationMs: 1000, batch: maxBatch, eventBytes: 200 }); // warm-up
    await loadgen.call('reset');
    const redis0 = cpuSecondsOf(redis.pid);
    const relay0 = cpuSecondsOf(servers[0].pid);
    const p = await publisher.call('publish', { url: servers[0].url, topic: 'bench', rate, durationMs, batch: maxBatch, eventBytes: 200 });
    const seconds = (p.endedAt - p.startedAt) / 1000;
    const drained = await loadgen.call('drain', { expected: p.sent * CLIENTS_PER_RELAY * relays });
    return {
      relays,
      eventsPerSecond: p.sent / seconds,
      redisCores: (cpuSecondsOf(redis.pid) - redis0) / seconds,
      relayCores: (cpuSecondsOf(servers[0].pid) - relay0) / seconds,
      lost: p.sent * CLIENTS_PER_RELAY * relays - drained.frames,
    };
  } finally {
    await publisher.stop();
    await loadgen.stop();
    for (const s of servers) await s.stop();
    await redis.stop();
  }
}

/** Least-squares line y = a + b·x through `points` ([x, y]). */
export function fitLine(points) {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
  return { a: my - b * mx, b };
}

/**
 * The publish rate (events/s) at which redis-server would use one whole core with `relays` relays,
 * from the fitted line of core-fraction per 1,000 ev/s (assumes CPU grows linearly with the rate).
 */
export const saturationRate = (fit, relays) => 1000 / (fit.a + fit.b * relays);

const fmt = (v) => Math.round(v).toLocaleString('en');
const pct = (v) => `${(v * 100).toFixed(0)}%`;
