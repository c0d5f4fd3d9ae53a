#!/usr/bin/env node
// `npm run bench`: fan-out, connections, bundle, chart and browser-connection figures, each printed
// as a ratio against a baseline measured side by side in the same run (so they hold on a noisy
// machine). It lives in bench/ so imports go one way: bench may import scripts/ (kit-sizes.mjs) and
// test/helpers/ (Redis, Chromium, publish, metrics, the raw SSE client), neither imports bench/.
// Writes bench/results.json, and exits non-zero when a section failed. Flags:
// `npm run bench -- --help`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { bundle } from './bundle.mjs';
import { browserConnections } from './browser-connections.mjs';
import { chart } from './chart.mjs';
import { connections, PER_PROCESS_SOCKETS } from './connections.mjs';
import { fanout } from './fanout.mjs';
import { hostPage } from './host-page.mjs';
import { root } from './processes.mjs';
import { printReport } from './report.mjs';
import { redisLimits } from './redis-limits.mjs';
import { scaleOut } from './scale-out.mjs';

const SECTIONS = ['fanout', 'redis-limits', 'connections', 'scale-out', 'bundle', 'chart', 'browser', 'host-page'];
const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '5' },
    'single-rate': { type: 'string', default: '200' },
    batch: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'raw-node,better-sse,better-sse-batched,relay-memory,relay-redis' },
    'redis-relays': { type: 'string', default: '1,3,6' },
    'redis-rate': { type: 'string', default: '2000' },
    ramp: { type: 'string', default: '5000,10000,19000' },
    'ramp-servers': { type: 'string', default: 'raw-node,relay-memory' },
    'scale-out': { type: 'string', default: '20000,50000' },
    relays: { type: 'string', default: '3' },
    'lighthouse-runs': { type: 'string', default: '3' },
    soak: { type: 'string', default: '60' },
    'first-data-only': { type: 'boolean', default: false },
    'first-data-runs': { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (opts.help) {
  console.log(`npm run bench -- [flags]
  --only a,b          sections to run: ${SECTIONS.join(', ')} (default all)
  --clients N         fan-out clients (1000)
  --rate N            fixed publish rate, events/s, in 20 batches a second (1000)
  --single-rate N     fixed rate of the one-event-per-request run, requests/s (200)
  --duration S        seconds per fan-out measurement (5)
  --batch N           events per publish at the maximum rate (100)
  --repeats N         interleaved fan-out rounds per server; figures are medians with ranges (3)
  --servers a,b       fan-out servers (raw-node,better-sse,better-sse-batched,relay-memory,relay-redis)
  --redis-relays a,b  relay counts for redis-server's CPU per relay (1,3,6)
  --redis-rate N      fixed publish rate for that measurement, events/s (2000)
  --ramp a,b,c        connection totals to ramp through (5000,10000,19000; one process holds < ${PER_PROCESS_SOCKETS + 1000})
  --ramp-servers a,b  servers to ramp (raw-node,relay-memory)
  --scale-out a,b     totals to ramp over several relays on one Redis (20000,50000)
  --relays N          relay processes for --scale-out (3; each holds < ${PER_PROCESS_SOCKETS + 1000})
  --lighthouse-runs N host-page: Lighthouse runs per page and profile, the median is reported (3; 0 skips Lighthouse)
  --soak S            host-page: seconds of the heap soak, the simulator 60x faster (60: an hour)
  --first-data-only   host-page: only the time to first data (no Lighthouse, steady state or soak)
  --first-data-runs N host-page: fresh-context runs per page and latency for first data (3)
  --no-build          measure dist/ as it is instead of running the build first`);
  process.exit(0);
}

// The soft open-file limit must be the hard one for thousands of sockets; children inherit it.
if (process.env.LIVE_BENCH_ULIMIT !== '1') {
  const r = spawnSync('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, LIVE_BENCH_ULIMIT: '1' },
  });
  process.exit(r.status ?? 1);
}

const number = (name) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name}=${opts[name]}: must be a positive number`);
    process.exit(2);
  }
  return n;
};
const list = (name) => opts[name].split(',').map((s) => s.trim()).filter(Boolean);
const only = opts.only ? list('only') : SECTIONS;
for (const s of only) {
  if (!SECTIONS.includes(s)) {
    console.error(`--only: unknown section "${s}"; use ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const log = (line) => console.log(line);

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  openFileLimit: Number(spawnSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()),
  openFileHardLimit: Number(spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()),
  loadAverage: os.loadavg().map((v) => +v.toFixed(2)),
  date: new Date().toISOString(),
};
log(`bench on ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}, open files ${machine.openFileLimit}, load ${machine.loadAverage.join(' ')}`);

const results = { machine, options: opts };
const failed = [];
/** Runs one section; a failure is recorded and reported, the other sections still run, and the bench exits non-zero. */
async function section(name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    failed.push(name);
    results[name] = { skipped: `FAILED: ${err.message.split('\n')[0]}` };
    log(`  ${name} failed: ${err.stack ?? err}`);
  }
}
try {
  if (only.includes('fanout')) {
    log(`\nfan-out: ${number('clients')} clients; ${number('rate')} ev/s in batches, ${number('single-rate')} single-event requests/s, and the maximum; ${number('duration')} s each, ${number('repeats')} interleaved rounds`);
    await section('fanout', () => fanout({ servers: list('servers'), clients: number('clients'), rate: number('rate'), singleRate: number('single-rate'), durationMs: number('duration') * 1000, maxBatch: number('batch'), repeats: number('repeats'), log }));
  }
  if (only.includes('redis-limits')) {
    log(`\nredis limits: maximum publish rate through one relay, then redis-server CPU at ${number('redis-rate')} ev/s with ${list('redis-relays').join(', ')} relays`);
    await section('redisLimits', () => redisLimits({ relayCounts: list('redis-relays').map(Number), fixedRate: number('redis-rate'), durationMs: number('duration') * 1000, maxBatch: number('batch'), log }));
  }
  if (only.includes('connections')) {
    const steps = list('ramp').map(Number).sort((a, b) => a - b);
    log(`\nconnections: ramp to ${steps.join(', ')} idle streams`);
    await section('connections', () => connections({ servers: list('ramp-servers'), steps, heartbeatMs: 2000, log }));
  }
  if (only.includes('scale-out')) {
    const steps = list('scale-out').map(Number).sort((a, b) => a - b);
    log(`\nscale-out: ramp to ${steps.join(', ')} idle streams over ${number('relays')} relays on one Redis`);
    await section('scaleOut', () => scaleOut({ relays: number('relays'), steps, heartbeatMs: 2000, log }));
  }
  if (only.includes('bundle')) {
    log('\nbundle');
    await section('bundle', async () => bundle({ build: !opts['no-build'], log }));
  }
  if (only.includes('chart')) {
    log('\nchart');
    await section('chart', () => chart({ log }));
  }
  if (only.includes('host-page')) {
    log('\nhost page');
    const firstDataOnly = opts['first-data-only'];
    await section('hostPage', () =>
      hostPage({ log, lighthouseRuns: firstDataOnly || opts['lighthouse-runs'] === '0' ? 0 : number('lighthouse-runs'), soakSeconds: number('soak'), firstDataOnly, firstDataRuns: number('first-data-runs') }),
    );
  }
  if (only.includes('browser')) {
    log('\nbrowser connections');
    await section('browser', () => browserConnections({ log }));
  }
} finally {
  writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
}
printReport(results);
log(`\nwrote bench/results.json`);
if (failed.length) {
  log(`sections that failed: ${failed.join(', ')}`);
  process.exit(1);
}
