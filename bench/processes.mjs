// Processes the bench starts and owns: the servers it measures, private redis-servers and load
// generators. Every one is held by its pid and stopped by it.
import { spawn, fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

// The tests' helpers are TypeScript: loaded through tsx, as web-test-runner.config.mjs loads them.
// bench imports test/helpers, never the reverse.
const { startRedis } = await tsImport('../test/helpers/redis-server.ts', import.meta.url);

export const root = new URL('..', import.meta.url).pathname;

/** The servers the bench compares; `relay-*` is the real relay, the others are baselines. */
export const SERVERS = {
  'raw-node': { cmd: ['bench/servers/raw-node.mjs'], label: 'raw node:http (ceiling)' },
  'better-sse': { cmd: ['bench/servers/better-sse.mjs'], label: 'better-sse, broadcast per event (peer)' },
  'better-sse-batched': { cmd: ['bench/servers/better-sse.mjs', '--batch'], label: 'better-sse, batch per request (peer)' },
  'relay-memory': { cmd: ['--import', 'tsx', 'server/main.ts'], label: 'relay, memory bus' },
  'relay-redis': { cmd: ['--import', 'tsx', 'server/main.ts'], label: 'relay, Redis bus', redis: true },
  'relay-simulated': { cmd: ['--import', 'tsx', 'bench/servers/sped-up-relay.ts'], label: 'relay, memory bus, simulator x SIM_SPEED' },
};

/**
 * Starts one server as a child process and waits for its `listening on` banner. `cwd`: the
 * checkout it runs from (another build of the repo, for a side-by-side comparison).
 */
export async function startServer(kind, env = {}, { cwd = root } = {}) {
  const spec = SERVERS[kind];
  if (!spec) throw new Error(`unknown server "${kind}"; use one of ${Object.keys(SERVERS).join(', ')}`);
  const redis = spec.redis && !env.REDIS_URL ? await startBenchRedis() : null;
  const child = spawn(process.execPath, spec.cmd, {
    cwd,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIMULATE: '0',
      // The bench publishes from this machine without a token (outside the demo that needs opting in).
      PUBLISH_ALLOW_LOOPBACK: '1',
      // The bench's clients all come from this machine: one identity, so lift the per-identity cap.
      MAX_CLIENTS_PER_IDENTITY: '100000',
      MAX_CLIENTS: '100000',
      // The publisher is this machine's own process; outside the demo the relay wants a token or this opt-in.
      PUBLISH_ALLOW_LOOPBACK: '1',
      ...(redis ? { REDIS_URL: redis.url } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} printed no banner in 30 s:\n${out}`)), 30_000);
    const onData = (b) => {
      out += b;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => reject(new Error(`${kind} exited (${code}) before listening:\n${out}`)));
  });
  return {
    kind,
    label: spec.label,
    url,
    pid: child.pid,
    /** The private redis-server's pid, when this server started one. */
    redisPid: redis?.pid ?? null,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      await redis?.stop();
    },
  };
}

/** Write system calls (write, writev, sendmsg...) a process has made so far (/proc/<pid>/io syscw). */
export function writeCallsOf(pid) {
  return Number(/^syscw:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

/** A process's parent and the CPU ms (user + system) it has used so far, from /proc/<pid>/stat. */
function statOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name, which may itself hold ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid) {
  return statOf(pid).cpuMs / 1000;
}

/** Every process on the machine (Linux /proc): its pid, parent and CPU ms so far; those gone meanwhile left out. */
export function processes() {
  const all = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      all.push({ pid: Number(d), ...statOf(d) });
    } catch {
      // gone between the listing and the read
    }
  }
  return all;
}

/** CPU ms (user + system) used so far by every process descended from `pid`. */
export function treeCpuMs(pid = process.pid) {
  const all = processes();
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.pid) || !tree.has(p.ppid)) continue;
      tree.add(p.pid);
      grew = true;
    }
  }
  return all.filter((p) => p.pid !== pid && tree.has(p.pid)).reduce((sum, p) => sum + p.cpuMs, 0);
}

/**
 * Waits until the processes this one started (a browser and its children, and the relay the
 * bench started, whose simulator stays well under the bar) are quiet: under 20 ms of CPU in each
 * of two 100 ms windows in a row, at most `maxMs`. A fresh browser context opens a
 * window, and Chromium spends about a second of CPU on both cores setting its own UI up in it
 * (the omnibox popup's WebUI renderer, measured here); a page loaded meanwhile is measured
 * against that, not against what a visitor's already open browser does.
 */
export async function untilQuiet(maxMs = 5000) {
  const until = Date.now() + maxMs;
  let last = treeCpuMs();
  let calm = 0;
  while (calm < 2 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    const now = treeCpuMs();
    calm = now - last < 20 ? calm + 1 : 0;
    last = now;
  }
}

/** The bench's Redis: the tests' private redis-server (no persistence, a free port), at most 1000 clients. */
export const startBenchRedis = () => startRedis(['--maxclients', '1000']);

/** Forks a load generator (bench/loadgen.mjs). */
export const startLoadgen = () => startWorker('loadgen.mjs');

/** Forks the publisher (bench/publisher.mjs). */
export const startPublisher = () => startWorker('publisher.mjs');

/** Forks a bench worker; `call(cmd, args)` runs one of its commands and resolves with the result. */
function startWorker(file) {
  const child = fork(new URL(`./${file}`, import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let next = 0;
  child.on('message', ({ id, result, error }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (error) p?.reject(new Error(`${file}: ${error}`));
    else p?.resolve(result);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited (${code})`));
  });
  return {
    pid: child.pid,
    call(cmd, args) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
