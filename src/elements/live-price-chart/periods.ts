/** The periods `/v1/series` understands. */
export type ChartPeriod = '1h' | '24h' | '7d' | '30d' | '90d' | '1y' | 'all';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Every period, shortest first. */
export const PERIODS: readonly ChartPeriod[] = ['1h', '24h', '7d', '30d', '90d', '1y', 'all'];

/** How wide one live bucket is per period: live points in one bucket are consolidated into one. */
export const BUCKET_MS: Readonly<Record<ChartPeriod, number>> = {
  '1h': MIN,
  '24h': 5 * MIN,
  '7d': 30 * MIN,
  '30d': 2 * HOUR,
  '90d': 6 * HOUR,
  '1y': DAY,
  all: DAY,
};

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
