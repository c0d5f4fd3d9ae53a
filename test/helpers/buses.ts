import type { Bus, BusOptions } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { startRedis } from './redis-server.js';

/**
 * The buses that contract and relay tests run against. A test file calls `setup()` once (before),
 * makes buses with `create()` and calls `teardown()` once (after), also on failure.
 * The Redis entry starts its private redis-server in setup and stops it in teardown.
 */
export interface BusHarness {
  readonly name: 'memory' | 'redis';
  setup(): Promise<BusMaker>;
}

export interface BusMaker {
  /** A fresh, empty bus (its own log) with these options over the defaults. */
  create(options?: Partial<BusOptions>): Promise<Bus>;
  /** Releases what setup started (buses made here are closed by their test). */
  teardown(): Promise<void>;
}

/** Defaults small enough for tests. */
export const TEST_BUS_OPTIONS: BusOptions = { historySize: 1000, listLimit: 50, dedupeTtlMs: 60_000 };

const memory: BusHarness = {
  name: 'memory',
  async setup() {
    return {
      async create(options) {
        return new MemoryBus({ ...TEST_BUS_OPTIONS, ...options });
      },
      async teardown() {},
    };
  },
};

const redis: BusHarness = {
  name: 'redis',
  async setup() {
    // A private redis-server per test file; each bus gets its own key prefix, so its own empty log.
    const server = await startRedis();
    let n = 0;
    return {
      async create(options) {
        const bus = await RedisBus.connect({ ...TEST_BUS_OPTIONS, ...options, url: server.url, prefix: `test${n++}:` });
        if (!bus.isReady()) throw new Error(`the private redis-server at ${server.url} did not answer`);
        return bus;
      },
      teardown: () => server.stop(),
    };
  },
};

/** Every bus implementation. */
export const buses: readonly BusHarness[] = [memory, redis];
