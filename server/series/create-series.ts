import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import { MemorySeriesStore } from './memory-series-store.js';
import { RedisSeriesCache } from './series-cache.js';
import { SeriesRecorder } from './series-recorder.js';
import { RedisSeriesStore } from './redis-series-store.js';
import { SeriesService } from './series-service.js';

/**
 * The series service the configuration implies: in Redis (with the answer cache) when REDIS_URL
 * is set, so every relay on that Redis shares one history; in memory otherwise. It does not record
 * until {@link SeriesService.start}.
 *
 * It opens its own Redis connection rather than borrowing the bus's: series reads are large and
 * must not queue behind the bus's stream tailing.
 */
export function createSeries(config: Config, bus: Bus, log: Logger): SeriesService {
  const retention = { maxAgeMs: config.SERIES_RETENTION_MS, maxPoints: config.SERIES_MAX_POINTS };
  if (!config.REDIS_URL) {
    const store = new MemorySeriesStore(retention);
    return new SeriesService(store, new SeriesRecorder(bus, store, config.SERIES_TOPICS, log), null, log);
  }
  const redis = new Redis(config.REDIS_URL, {
    // Fail fast while Redis is away: the route answers 503 instead of hanging the chart.
    maxRetriesPerRequest: 1,
    commandTimeout: 5000,
    connectionName: 'live-elements:series',
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) log.warn({ err: err.message }, 'series: Redis connection failed; retrying');
    reported = true;
  });
  redis.on('ready', () => {
    reported = false;
  });
  const store = new RedisSeriesStore(redis, retention, `${config.REDIS_PREFIX}series:`);
  const cache = new RedisSeriesCache(redis, `${config.REDIS_PREFIX}series-cache:`, config.SERIES_CACHE_MAX_ENTRIES);
  return new SeriesService(store, new SeriesRecorder(bus, store, config.SERIES_TOPICS, log), cache, log, async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
}
