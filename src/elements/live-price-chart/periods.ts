import { SERIES_PERIODS, type SeriesPeriod } from '../../core/series-shape.js';

/** The periods `/v1/series` understands. */
export type ChartPeriod = SeriesPeriod;

/** Every period, shortest first. */
export const PERIODS = Object.keys(SERIES_PERIODS) as readonly ChartPeriod[];

/** How wide one bucket is per period (the relay's step): live points in one bucket are consolidated into one. */
export const BUCKET_MS = Object.fromEntries(PERIODS.map((p) => [p, SERIES_PERIODS[p].stepMs])) as Readonly<Record<ChartPeriod, number>>;

/** The period named by `value`, or null when it is none of {@link PERIODS}. */
export function parsePeriod(value: unknown): ChartPeriod | null {
  return PERIODS.includes(value as ChartPeriod) ? (value as ChartPeriod) : null;
}

/** Axis tick formats that read well at each period's scale. */
export function axisDateOptions(period: ChartPeriod): Intl.DateTimeFormatOptions {
  if (period === '1h' || period === '24h') return { hour: '2-digit', minute: '2-digit' };
  if (period === '7d' || period === '30d') return { month: 'short', day: 'numeric', hour: '2-digit' };
  return { year: '2-digit', month: 'short', day: 'numeric' };
}
