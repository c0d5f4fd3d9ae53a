#!/usr/bin/env node
// `npm run soak`: the reliability suite's long runs. The same test files `npm test` runs short,
// with the numbers: chaos with 10,000 events, 100 slow beside 100 fast clients (and the
// p99 comparison against a run without slow clients), Redis killed under heavier load, 10,000
// fuzzed requests per route. Any variable already set in the environment wins.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const env = {
  LIVE_SOAK: '1',
  CHAOS_CLIENTS: '200',
  CHAOS_EVENTS: '10000',
  CHAOS_TOPICS: '5',
  CHAOS_RATE: '1000',
  CHAOS_HISTORY: '2000',
  SLOW_CLIENTS: '100',
  FAST_CLIENTS: '100',
  SLOW_EVENTS: '3000',
  SLOW_RATE: '500',
  REDIS_KILL_CLIENTS: '50',
  REDIS_KILL_RATE: '1000',
  REDIS_KILL_AFTER_MS: '5000',
  FUZZ_RUNS: '10000',
  ...process.env,
};
const only = process.argv.slice(2); // e.g. `npm run soak -- chaos fuzz`
const files = ['chaos', 'slow-clients', 'redis-kill', 'fuzz'].filter((f) => only.length === 0 || only.includes(f)).map((f) => `test/server/reliability-${f}.test.ts`);
const r = spawnSync('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, '--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit', env });
process.exit(r.status ?? 1);
