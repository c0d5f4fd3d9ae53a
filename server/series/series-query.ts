import type { SeriesColumns } from './downsample.js';
import { SERIES_PERIODS, type SeriesPeriod, type SeriesResponse } from '../../src/core/series-shape.js';
import type { SeriesPoint } from './series-store.js';

/** The windows `GET /v1/series` offers and each one's step: the table shared with the chart. */
export const PERIODS = SERIES_PERIODS;

export type Period = SeriesPeriod;

/** How long a cached answer may be served, by period: longer windows change less per second. */
export const CACHE_TTL_MS: Record<Period, number> = {
  '1h': 5_000,
  '24h': 30_000,
  '7d': 120_000,
  '30d': 300_000,
  '90d': 300_000,
  '1y': 600_000,
  all: 600_000,
};

export const DEFAULT_POINTS = 500;
/** As many as a series keeps by default (SERIES_MAX_POINTS): `sample=false` answers that many anyway. */
export const MAX_POINTS = 100_000;

/** A validated series query. */
export interface SeriesQuery {
  period: Period;
  sample: boolean;
  points: number;
  /** Requested fields, or null for every numeric field found. */
  fields: string[] | null;
  skipCache: boolean;
}

export type { SeriesResponse };

const FIELD = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Validates the query string; returns the query or an error message naming the parameter.
 * `maxFields` bounds `fields=`: each field is a column over every point, so an unbounded list
 * turns a small request into a huge answer (SERIES_MAX_FIELDS).
 */
export function parseSeriesQuery(q: Record<string, unknown>, maxFields: number): SeriesQuery | string {
  const one = (name: string): string | undefined | null => {
    const v = q[name];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : null;
  };
  const periodText = one('period');
  const period = periodText === undefined ? '24h' : periodText;
  if (period === null || !Object.hasOwn(PERIODS, period)) {
    return `period must be one of ${Object.keys(PERIODS).join(', ')} (got ${JSON.stringify(q.period)})`;
  }
  const sampleText = one('sample');
  if (sampleText === null || (sampleText !== undefined && !['true', 'false', '1', '0'].includes(sampleText))) {
    return `sample must be true or false (got ${JSON.stringify(q.sample)})`;
  }
  const pointsText = one('points');
  let points = DEFAULT_POINTS;
  if (pointsText !== undefined) {
    if (pointsText === null || !/^\d{1,6}$/.test(pointsText) || Number(pointsText) < 3 || Number(pointsText) > MAX_POINTS) {
      return `points must be a whole number from 3 to ${MAX_POINTS} (got ${JSON.stringify(q.points)})`;
    }
    points = Number(pointsText);
  }
  const fieldsText = one('fields');
  let fields: string[] | null = null;
  if (fieldsText !== undefined) {
    const list = fieldsText === null ? [] : fieldsText.split(',').map((f) => f.trim()).filter(Boolean);
    if (list.length > maxFields) {
      return `fields lists ${list.length} fields; at most ${maxFields} are accepted per request (SERIES_MAX_FIELDS): ask for fewer, or split them over several requests`;
    }
    const bad = list.find((f) => !FIELD.test(f));
    if (list.length === 0 || bad !== undefined) {
      return `fields must be a comma-separated list of field names, e.g. fields=high,low (got ${JSON.stringify(q.fields)})`;
    }
    fields = [...new Set(list)];
  }
  const cache = one('cache');
  if (cache === null || (cache !== undefined && cache !== 'skip')) {
    return `cache accepts only "skip" (got ${JSON.stringify(q.cache)})`;
  }
  return { period: period as Period, sample: sampleText === 'true' || sampleText === '1', points, fields, skipCache: cache === 'skip' };
}

/**
 * Turns stored points (oldest first) into columns. A patch point carries only some fields; the
 * others keep their previous value, so a patched series has no holes. A field a point lacks
 * otherwise is null. Without `fields`, every field seen becomes a column (sorted by name).
 */
export function toColumns(points: readonly SeriesPoint[], fields: readonly string[] | null): SeriesColumns {
  let names = fields;
  if (!names) {
    const seen = new Set<string>();
    for (const p of points) for (const f in p.values) seen.add(f);
    names = [...seen].sort();
  }
  const cols: SeriesColumns = { t: new Array(points.length), series: {} };
  for (const f of names) cols.series[f] = new Array(points.length);
  let prev: Record<string, number> = {};
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const values = p.partial ? { ...prev, ...p.values } : p.values;
    cols.t[i] = p.t;
    for (const f of names) cols.series[f][i] = Object.hasOwn(values, f) ? values[f] : null;
    prev = values;
  }
  return cols;
}
