/** Columns of a series: times ascending, and one value column per field, all the same length. */
export interface SeriesColumns {
  t: number[];
  series: Record<string, (number | null)[]>;
}

/**
 * Reduces columns to at most `budget` rows while keeping the visual shape: the time range is cut
 * into equal buckets and each bucket keeps its extremes, a row with every field's minimum and a row
 * with every field's maximum, placed at the times where the first field reaches them. Spikes
 * survive (a plain average would flatten them), and since each field's bucket minimum (maximum)
 * sits in one row, fields that are ordered point by point (low <= high) stay ordered. The newest
 * point is always kept as it is, so a chart's live tip matches the last event.
 *
 * Returns the input unchanged when it already fits.
 */
export function downsampleMinMax(cols: SeriesColumns, budget: number): SeriesColumns {
  const n = cols.t.length;
  if (n <= budget || budget < 3) return cols;
  const fields = Object.keys(cols.series);
  const buckets = Math.floor((budget - 1) / 2);
  const last = n - 1;
  const t0 = cols.t[0];
  // Buckets cover [t0, t(last)); the newest point is appended after them.
  const span = cols.t[last] - t0;
  const out: SeriesColumns = { t: [], series: Object.fromEntries(fields.map((f) => [f, []])) };

  let i = 0;
  for (let b = 0; b < buckets && i < last; b++) {
    const end = span > 0 ? t0 + (span * (b + 1)) / buckets : Number.NaN;
    // With a zero time span, fall back to equal counts.
    const stop = span > 0 ? upTo(cols.t, i, last, end, b === buckets - 1) : Math.min(last, Math.round((last * (b + 1)) / buckets));
    if (stop <= i) continue;
    emitBucket(cols, fields, i, stop, out);
    i = stop;
  }
  out.t.push(cols.t[last]);
  for (const f of fields) out.series[f].push(cols.series[f][last]);
  return out;
}

/** First index in [from, last) whose time is at or past `end` (or `last` for the final bucket). */
function upTo(t: readonly number[], from: number, last: number, end: number, final: boolean): number {
  if (final) return last;
  let j = from;
  while (j < last && t[j] < end) j++;
  return j;
}

/** Emits the rows of one bucket [from, to). */
function emitBucket(cols: SeriesColumns, fields: readonly string[], from: number, to: number, out: SeriesColumns): void {
  if (to - from === 1) {
    out.t.push(cols.t[from]);
    for (const f of fields) out.series[f].push(cols.series[f][from]);
    return;
  }
  // Where the first field with a value in this bucket peaks and dips decides the two rows' times.
  let iMin = -1;
  let iMax = -1;
  for (const f of fields) {
    const col = cols.series[f];
    for (let j = from; j < to; j++) {
      const v = col[j];
      if (v === null) continue;
      if (iMin < 0 || v < (col[iMin] as number)) iMin = j;
      if (iMax < 0 || v > (col[iMax] as number)) iMax = j;
    }
    if (iMin >= 0) break;
  }
  if (iMin < 0) {
    // No values at all in this bucket: keep one row so the gap stays visible.
    out.t.push(cols.t[from]);
    for (const f of fields) out.series[f].push(null);
    return;
  }
  const lows: (number | null)[] = [];
  const highs: (number | null)[] = [];
  for (const f of fields) {
    const col = cols.series[f];
    let lo: number | null = null;
    let hi: number | null = null;
    for (let j = from; j < to; j++) {
      const v = col[j];
      if (v === null) continue;
      if (lo === null || v < lo) lo = v;
      if (hi === null || v > hi) hi = v;
    }
    lows.push(lo);
    highs.push(hi);
  }
  if (iMin === iMax) {
    // The first field is flat here: spread the two rows over the bucket so the others keep their range.
    iMin = from;
    iMax = to - 1;
  }
  const rows = iMin < iMax ? [[iMin, lows], [iMax, highs]] as const : [[iMax, highs], [iMin, lows]] as const;
  for (const [idx, values] of rows) {
    out.t.push(cols.t[idx]);
    fields.forEach((f, k) => out.series[f].push(values[k]));
  }
}
