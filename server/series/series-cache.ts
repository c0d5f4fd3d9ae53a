import type { Redis } from 'ioredis';
import type { SeriesResponse } from './series-query.js';

/** Finished series answers kept for a short time, so many charts opening at once cost one query. */
export interface SeriesCache {
  get(name: string): Promise<SeriesResponse | null>;
  set(name: string, value: SeriesResponse, ttlMs: number): Promise<void>;
}

/** The cache in Redis, shared by every relay on it. */
export class RedisSeriesCache implements SeriesCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'live:series-cache:',
  ) {}

  async get(name: string): Promise<SeriesResponse | null> {
    const text = await this.redis.get(this.prefix + name);
    return text === null ? null : (JSON.parse(text) as SeriesResponse);
  }

  async set(name: string, value: SeriesResponse, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + name, JSON.stringify(value), 'PX', ttlMs);
  }
}
