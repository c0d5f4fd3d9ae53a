import type { Envelope } from '../../src/core/wire.js';

/**
 * Where time points for charts are kept: one ordered series per topic/key. Two implementations
 * beside this file: `memory-series-store.ts` (one relay) and `redis-series-store.ts` (a sorted set
 * per series, shared by every relay on one Redis).
 */
export interface SeriesStore {
  readonly kind: 'memory' | 'redis';

  /**
   * Records points. A point whose `id` the series already holds is not added again, so several
   * relays recording the same event (or a retry) never double it. Points older than the retention
   * window are dropped, and each series keeps at most its newest `maxPoints`.
   */
  record(points: readonly SeriesPoint[]): Promise<void>;

  /** The points of one series with `fromMs <= t <= toMs`, oldest first. */
  range(topic: string, key: string, fromMs: number, toMs: number): Promise<SeriesPoint[]>;

  /** How many points one series holds (the simulator backfills only empty series). */
  count(topic: string, key: string): Promise<number>;

  /** Releases connections. */
  close(): Promise<void>;
}

/** One time point of one series. */
export interface SeriesPoint {
  topic: string;
  key: string;
  /** The log id of the event it came from (or a synthetic id for backfilled history); unique per series. */
  id: string;
  /** Unix ms. */
  t: number;
  /** The numeric fields the event carried. */
  values: Record<string, number>;
  /** True for a `patch`: fields it does not carry keep their previous values when the series is read. */
  partial?: boolean;
}

/** Retention both stores apply. */
export interface SeriesRetention {
  /** Points older than this (by their time, against the clock) are dropped. */
  maxAgeMs: number;
  /** Most points kept per series. */
  maxPoints: number;
}

/**
 * The time point an event carries, or null when it carries none: only `upsert` and `patch` with at
 * least one finite numeric field count. The point's time is `data.ts` (unix seconds) when it is a
 * number, else the envelope's `time`; `ts` itself is the time axis, not a series field.
 */
export function pointFromEnvelope(env: Envelope): SeriesPoint | null {
  if (env.op !== 'upsert' && env.op !== 'patch') return null;
  const data = env.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const values: Record<string, number> = {};
  let any = false;
  for (const [field, value] of Object.entries(data as Record<string, unknown>)) {
    if (field === 'ts' || typeof value !== 'number' || !Number.isFinite(value)) continue;
    values[field] = value;
    any = true;
  }
  if (!any) return null;
  const ts = (data as { ts?: unknown }).ts;
  const t = typeof ts === 'number' && Number.isFinite(ts) ? Math.round(ts * 1000) : Date.parse(env.time);
  if (!Number.isFinite(t)) return null;
  const point: SeriesPoint = { topic: env.topic, key: env.key, id: env.id, t, values };
  if (env.op === 'patch') point.partial = true;
  return point;
}
