import type { Redis } from 'ioredis';
import type { SeriesPoint, SeriesRetention, SeriesStore } from './series-store.js';

/**
 * Series in Redis, shared by every relay on it: one sorted set per topic/key, scored by time.
 * A member is `<event id> <values JSON>`, computed from the event alone, so every relay that
 * records the same event writes the identical member and ZADD keeps one.
 */
export class RedisSeriesStore implements SeriesStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly retention: SeriesRetention,
    private readonly prefix = 'live:series:',
    private readonly now: () => number = Date.now,
  ) {}

  async record(points: readonly SeriesPoint[]): Promise<void> {
    if (points.length === 0) return;
    const byKey = new Map<string, SeriesPoint[]>();
    for (const p of points) {
      const k = this.redisKey(p.topic, p.key);
      const list = byKey.get(k);
      if (list) list.push(p);
      else byKey.set(k, [p]);
    }
    const cutoff = this.now() - this.retention.maxAgeMs;
    const tx = this.redis.multi();
    for (const [k, list] of byKey) {
      const args: (string | number)[] = [];
      for (const p of list) args.push(p.t, encodeMember(p));
      tx.zadd(k, ...args);
      tx.zremrangebyscore(k, '-inf', `(${cutoff}`);
      tx.zremrangebyrank(k, 0, -(this.retention.maxPoints + 1));
      // A series nobody writes to any more disappears once all its points would be too old.
      tx.pexpire(k, this.retention.maxAgeMs);
    }
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async range(topic: string, key: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const flat = await this.redis.zrangebyscore(this.redisKey(topic, key), fromMs, toMs, 'WITHSCORES');
    const out: SeriesPoint[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const p = decodeMember(topic, key, flat[i], Number(flat[i + 1]));
      if (p) out.push(p);
    }
    return out;
  }

  async count(topic: string, key: string): Promise<number> {
    return this.redis.zcard(this.redisKey(topic, key));
  }

  /** The Redis client belongs to whoever made it (see `create-series.ts`). */
  async close(): Promise<void> {}

  private redisKey(topic: string, key: string): string {
    // Topics cannot contain ":", so the first ":" after the prefix separates topic from key.
    return `${this.prefix}${topic}:${key}`;
  }
}

function encodeMember(p: SeriesPoint): string {
  return `${p.id} ${JSON.stringify(p.partial ? { v: p.values, p: 1 } : { v: p.values })}`;
}

function decodeMember(topic: string, key: string, member: string, t: number): SeriesPoint | null {
  const space = member.indexOf(' ');
  if (space < 0) return null;
  try {
    const body = JSON.parse(member.slice(space + 1)) as { v: Record<string, number>; p?: 1 };
    const point: SeriesPoint = { topic, key, id: member.slice(0, space), t, values: body.v };
    if (body.p) point.partial = true;
    return point;
  } catch {
    return null;
  }
}
