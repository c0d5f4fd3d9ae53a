import type { Redis } from 'ioredis';
import type { SeriesResponse } from './series-query.js';

/** Finished series answers kept for a short time, so many charts opening at once cost one query. */
export interface SeriesCache {
  get(name: string): Promise<SeriesResponse | null>;
  set(name: string, value: SeriesResponse, ttlMs: number): Promise<void>;
}

/**
 * Writes one answer and keeps the number of answers bounded. The index is a sorted set of entry
 * keys scored by their expiry time, so expired entries are pruned exactly and, when the cache is
 * full, the entry with the least time left to live is dropped first (it would be worth least).
 * One script, so relays sharing the Redis share the bound and never race past it.
 *
 * KEYS: entry, index. ARGV: value, ttl ms, now ms, max entries.
 */
const SET_BOUNDED = `
local expires = tonumber(ARGV[3]) + tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], string.format('%d', expires), KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local evicted = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('DEL', unpack(evicted))
  redis.call('ZREM', KEYS[2], unpack(evicted))
end
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], string.format('%d', math.max(expires, tonumber(top[2]))))
return over
`;

/** The cache in Redis, shared by every relay on it, holding at most `maxEntries` answers. */
export class RedisSeriesCache implements SeriesCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'live:series-cache:',
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(name: string): Promise<SeriesResponse | null> {
    const text = await this.redis.get(this.prefix + name);
    return text === null ? null : (JSON.parse(text) as SeriesResponse);
  }

  async set(name: string, value: SeriesResponse, ttlMs: number): Promise<void> {
    // The index lives beside the entries; "#" cannot start a cache name (a topic starts with [a-z0-9]).
    await this.redis.eval(SET_BOUNDED, 2, this.prefix + name, `${this.prefix}#index`, JSON.stringify(value), ttlMs, this.now(), this.maxEntries);
  }
}
