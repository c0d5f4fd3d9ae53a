import { spawn } from 'node:child_process';
import type { Bus } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busOptions } from '../../server/bus/create-bus.js';
import type { Config } from '../../server/config.js';
import { testConfig } from './config.js';
import { createContext, type RelayContext } from '../../server/context.js';
import { listen } from '../../server/server.js';

export { openStream } from './sse-stream.js';
export { publish } from './publish.mjs';
export type { Frame, TestStream, OpenStreamOptions } from './sse-stream.js';

/** A relay running in this process on a real socket (127.0.0.1, a free port). */
export interface InProcessRelay {
  readonly url: string;
  readonly ctx: RelayContext;
  /** Graceful stop (streams get `event: timeout`, the bus is closed). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a relay in-process. `config` overrides testConfig()'s defaults; `bus` defaults to a
 * MemoryBus from the config (the relay closes the bus it is given when it closes).
 */
export async function startRelay(options: { config?: Partial<Config>; bus?: Bus } = {}): Promise<InProcessRelay> {
  const config = testConfig({ PORT: 0, HOST: '127.0.0.1', ...options.config });
  const bus = options.bus ?? new MemoryBus(busOptions(config));
  const ctx = createContext(config, bus);
  const running = await listen(ctx, 0, '127.0.0.1');
  return { url: running.url, ctx, close: () => running.close() };
}

/** A relay running as a child process (`node --import tsx server/main.ts`). */
export interface SpawnedRelay {
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (or `signal`), then resolves with its exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** Resolves with the exit code when it exits. */
  readonly exited: Promise<number | null>;
}

const root = new URL('../..', import.meta.url).pathname;

/** How to start a relay process: node's arguments and the folder to run them in. */
export interface RelayCommand {
  args: string[];
  cwd: string;
}

/** The relay from its TypeScript source in this repository. */
const SOURCE_RELAY: RelayCommand = { args: ['--import', 'tsx', 'server/main.ts'], cwd: root };

/**
 * Starts the relay as a child process with `env` over a quiet default (PORT=0, HOST=127.0.0.1,
 * LOG_LEVEL=warn) and waits for its banner. Rejects with its output when it exits first.
 * `command` runs another build of it (e.g. an installed package's bin) under the same defaults.
 */
export async function spawnRelay(env: Record<string, string> = {}, timeoutMs = 20_000, command: RelayCommand = SOURCE_RELAY): Promise<SpawnedRelay> {
  const child = spawn(process.execPath, command.args, {
    cwd: command.cwd,
    // REDIS_URL (and PUBLISH_TOKEN) from the caller's shell must not leak in: a test that wants Redis
    // passes its private redis-server's URL, so `REDIS_URL=... npm test` never touches a shared Redis.
    // Outside the demo publishing needs a token: the tests publish from loopback, opted in here.
    env: { ...process.env, REDIS_URL: '', PUBLISH_TOKEN: '', METRICS_TOKEN: '', DEMO: '0', PUBLISH_ALLOW_LOOPBACK: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIMULATE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay printed no banner within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new SpawnError(code, out));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => out,
    exited,
    async stop(ms = 10_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The relay exited before printing its banner; `output` holds what it said. */
export class SpawnError extends Error {
  override readonly name = 'SpawnError';
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`relay exited with code ${code} before listening; output:\n${output}`);
  }
}
