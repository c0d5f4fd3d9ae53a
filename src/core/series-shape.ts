/**
 * The shape of a chart's time series, shared by the relay (which answers `/v1/series` one point
 * per bucket of the period's step) and the chart (which folds live points into the same buckets by
 * the same rule), so a reloaded chart draws what the live one drew. No dependencies.
 */

/** A window `/v1/series` answers for. */
export type SeriesPeriod = '1h' | '24h' | '7d' | '30d' | '90d' | '1y' | 'all';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * Per period: how far back it reaches (`all`: everything retained) and its step, the width of one
 * bucket. A series answers one point per bucket, so a period holds about 60–400 of them.
 */
export const SERIES_PERIODS: Readonly<Record<SeriesPeriod, { spanMs: number; stepMs: number }>> = {
  '1h': { spanMs: HOUR, stepMs: MIN },
  '24h': { spanMs: DAY, stepMs: 5 * MIN },
  '7d': { spanMs: 7 * DAY, stepMs: 30 * MIN },
  '30d': { spanMs: 30 * DAY, stepMs: 2 * HOUR },
  '90d': { spanMs: 90 * DAY, stepMs: 6 * HOUR },
  '1y': { spanMs: 365 * DAY, stepMs: DAY },
  all: { spanMs: Infinity, stepMs: DAY },
};

/** How the points of one bucket become its one value. */
export type Consolidation = 'max' | 'min' | 'last';

/**
 * The rule for a field, by its name: `high`, or a name ending in `High` or `_high` → `max` (the
 * bucket's highest value); `low`, `…Low`, `…_low` → `min`; every other field → `last` (its value at
 * the bucket's newest point).
 */
export function consolidationOf(field: string): Consolidation {
  return /^high$|High$|_high$/.test(field) ? 'max' : /^low$|Low$|_low$/.test(field) ? 'min' : 'last';
}

/** Folds a newer value into a bucket's value by `rule`. Null is "no value": `max`/`min` skip it, `last` takes it. */
export function consolidate(rule: Consolidation, bucket: number | null, next: number | null): number | null {
  if (rule === 'last' || bucket === null) return next;
  if (next === null) return bucket;
  return rule === 'max' ? Math.max(bucket, next) : Math.min(bucket, next);
}

/** The start (unix ms) of the `stepMs`-wide bucket holding `t`; buckets align to the epoch (a day's to UTC midnight). A point is drawn at its bucket's start. */
export function bucketStart(t: number, stepMs: number): number {
  return Math.floor(t / stepMs) * stepMs;
}

/** The JSON answer of `GET /v1/series/:topic/:key`. */
export interface SeriesResponse {
  topic: string;
  key: string;
  period: SeriesPeriod;
  /** The bucket width (ms): each `t` is a bucket's start. The relay always sends it; a history a page makes up may leave it out. */
  stepMs?: number;
  /** A log position the series includes: stream `topics=topic/key` from here for the live points. */
  lastEventId: string | null;
  /** True when the buckets were further reduced to the `points` budget. */
  sampled: boolean;
  /** Unix ms, ascending. */
  t: number[];
  /** Per field, one value per `t` (null: none). */
  series: Record<string, Array<number | null>>;
}
