import { bucketStart, consolidate, consolidationOf } from '../../src/core/series-shape.js';
import type { SeriesColumns } from './downsample.js';

/**
 * Consolidates columns (times ascending) to one row per `stepMs` bucket, stamped at the bucket's
 * start. Each field folds its bucket's values by its rule (`consolidationOf`: `high` → max, `low` →
 * min, others → the newest), the same rule the chart folds live points with. The newest bucket may
 * be still filling: it holds what has arrived so far. O(rows × fields).
 */
export function bucketColumns(cols: SeriesColumns, stepMs: number): SeriesColumns {
  const fields = Object.keys(cols.series);
  const rules = fields.map(consolidationOf);
  const out: SeriesColumns = { t: [], series: Object.fromEntries(fields.map((f) => [f, []])) };
  const outCols = fields.map((f) => out.series[f]);
  const inCols = fields.map((f) => cols.series[f]);
  let current = Number.NaN;
  for (let i = 0; i < cols.t.length; i++) {
    const b = bucketStart(cols.t[i], stepMs);
    if (b !== current) {
      current = b;
      out.t.push(b);
      for (let f = 0; f < fields.length; f++) outCols[f].push(inCols[f][i]);
      continue;
    }
    const last = out.t.length - 1;
    for (let f = 0; f < fields.length; f++) outCols[f][last] = consolidate(rules[f], outCols[f][last], inCols[f][i]);
  }
  return out;
}
