import type { Config } from '../config.js';
import type { Bus, BusOptions } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import { RedisBus, type RedisBusLog } from './redis-bus.js';

/** The bus options the configuration implies. */
export function busOptions(config: Config): BusOptions {
  return { historySize: config.HISTORY_SIZE, listLimit: config.LIST_LIMIT, dedupeTtlMs: config.DEDUPE_TTL_MS };
}

/**
 * The bus the configuration asks for: Redis when REDIS_URL is set, else memory for one process.
 * An unreachable Redis does not stop the relay: it starts not ready (`/readyz` 503) and connects
 * when Redis answers.
 */
export async function createBus(config: Config, log?: RedisBusLog): Promise<Bus> {
  if (config.REDIS_URL) {
    return RedisBus.connect({ ...busOptions(config), url: config.REDIS_URL, prefix: config.REDIS_PREFIX, log, startTimeoutMs: 3000 });
  }
  return new MemoryBus(busOptions(config));
}
