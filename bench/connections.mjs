// Connections: ramp idle SSE connections on one server process and read its RSS per connection
// and whether every connection still gets its heartbeats.
import { memoryOf } from '../test/helpers/process-memory.mjs';
import { startLoadgen, startServer } from './processes.mjs';

/** One process may hold at most this many sockets here (hard open-file limit 20000, minus slack). */
export const PER_PROCESS_SOCKETS = 19_000;

/**
 * Ramps `steps` (ascending totals) of idle connections on each server kind, spread over enough
 * load-generator processes that none holds more than PER_PROCESS_SOCKETS / 2 sockets.
 */
export async function connections({ servers, steps, heartbeatMs, log }) {
  const rows = [];
  for (const kind of servers) {
    const server = await startServer(kind, { HEARTBEAT_MS: String(heartbeatMs) });
    const perLoadgen = PER_PROCESS_SOCKETS / 2;
    const loadgens = Array.from({ length: Math.ceil(steps[steps.length - 1] / perLoadgen) }, startLoadgen);
    const row = { kind, label: server.label, steps: [] };
    try {
      await new Promise((r) => setTimeout(r, 500));
      const base = memoryOf(server.pid).rss;
      let held = 0;
      for (const target of steps) {
        const started = Date.now();
        // Fill the load generators in turn, each up to perLoadgen.
        const plan = loadgens.map((_, i) => Math.max(0, Math.min(perLoadgen, target - i * perLoadgen) - Math.min(perLoadgen, Math.max(0, held - i * perLoadgen))));
        const results = await Promise.all(
          loadgens.map((lg, i) =>
            plan[i] > 0 ? lg.call('connect', { url: server.url, topics: 'idle', count: plan[i], addresses: [`127.0.0.${2 + i * 2}`, `127.0.0.${3 + i * 2}`], sampleEvery: 0, parallel: 100 }) : { ok: 0, failures: {} },
          ),
        );
        const ok = results.reduce((a, r) => a + r.ok, 0);
        const failures = Object.assign({}, ...results.map((r) => r.failures));
        held += ok;
        const rampSeconds = (Date.now() - started) / 1000;
        await new Promise((r) => setTimeout(r, 1000));
        const rss = memoryOf(server.pid).rss;
        for (const lg of loadgens) await lg.call('reset');
        await new Promise((r) => setTimeout(r, heartbeatMs * 2.5));
        const stats = await Promise.all(loadgens.map((lg) => lg.call('stats')));
        const open = stats.reduce((a, s) => a + s.open, 0);
        const beating = stats.reduce((a, s) => a + s.heartbeatClients, 0);
        const step = { target, held: open, failures, rampSeconds, rss, perConnection: Math.round((rss - base) / Math.max(1, open)), heartbeatDelivery: open ? beating / open : 0 };
        row.steps.push(step);
        log(`  ${kind} ${target.toLocaleString('en')}: ${open.toLocaleString('en')} held, RSS ${(rss / 2 ** 20).toFixed(0)} MB, ${(step.perConnection / 1024).toFixed(1)} kB/connection, heartbeats to ${(step.heartbeatDelivery * 100).toFixed(1)}%${Object.keys(failures).length ? `, failures ${JSON.stringify(failures)}` : ''}`);
        if (open < target * 0.99) break;
      }
      row.baseRss = base;
    } finally {
      for (const lg of loadgens) await lg.stop();
      await server.stop();
    }
    rows.push(row);
  }
  return rows;
}
