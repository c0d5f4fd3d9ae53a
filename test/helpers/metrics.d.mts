/** The whole Prometheus text the relay at `url` serves at `/metrics`. */
export function metricsText(url: string): Promise<string>;
/**
 * Metric `name` in Prometheus `text`: the sum of its samples whose labels include `labels`
 * (every sample when none are given); null when there is no such sample.
 */
export function metricIn(text: string, name: string, labels?: Record<string, string>): number | null;
/** {@link metricIn} over the relay's `/metrics` now: one metric's total, null when it is absent. */
export function metricTotal(url: string, name: string, labels?: Record<string, string>): Promise<number | null>;
