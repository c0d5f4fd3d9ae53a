/** A series as uPlot takes it: x values, then one array of y values per field. */
export type Columns = Array<ArrayLike<number | null>>;

/**
 * Reduces a long series to what `columns` pixel columns can show, so a redraw costs O(width), not
 * O(points). The x range is cut into `columns` equal slices; each slice keeps, in x order, its
 * first and last point and, per field, the points of its minimum, its maximum and its first gap
 * (null). A line through those points covers the same pixels as one through all of them: spikes
 * and gaps survive. Series no longer than `4 × columns` are returned as copies, untouched.
 * `x` must be ascending.
 */
export function decimate(data: Columns, columns: number): Array<Array<number | null>> {
  const x = data[0] as ArrayLike<number>;
  const n = x.length;
  const fields = data.length - 1;
  const out: Array<Array<number | null>> = data.map(() => []);
  if (n <= 4 * columns || columns < 1) {
    for (let s = 0; s < data.length; s++) out[s] = Array.prototype.slice.call(data[s]) as Array<number | null>;
    return out;
  }
  const x0 = x[0];
  const span = x[n - 1] - x0;
  const scale = span > 0 ? columns / span : 0;
  // Indices kept in the current slice: first, last, and min, max, first null per field.
  const picked = new Int32Array(2 + 3 * fields);
  const lo = new Float64Array(fields);
  const hi = new Float64Array(fields);
  const loAt = new Int32Array(fields);
  const hiAt = new Int32Array(fields);
  const gapAt = new Int32Array(fields);
  let start = 0;
  while (start < n) {
    const column = Math.min(columns - 1, Math.floor((x[start] - x0) * scale));
    let end = start + 1;
    while (end < n && Math.min(columns - 1, Math.floor((x[end] - x0) * scale)) === column) end++;
    for (let f = 0; f < fields; f++) {
      lo[f] = Infinity;
      hi[f] = -Infinity;
      loAt[f] = hiAt[f] = gapAt[f] = -1;
      const y = data[f + 1];
      for (let i = start; i < end; i++) {
        const v = y[i];
        if (v == null) {
          if (gapAt[f] < 0) gapAt[f] = i;
        } else {
          if (v < lo[f]) (lo[f] = v), (loAt[f] = i);
          if (v > hi[f]) (hi[f] = v), (hiAt[f] = i);
        }
      }
    }
    let count = 0;
    picked[count++] = start;
    picked[count++] = end - 1;
    for (let f = 0; f < fields; f++) {
      if (loAt[f] >= 0) picked[count++] = loAt[f];
      if (hiAt[f] >= 0) picked[count++] = hiAt[f];
      if (gapAt[f] >= 0) picked[count++] = gapAt[f];
    }
    // Insertion sort of a handful of indices, then emit each once.
    for (let i = 1; i < count; i++) {
      const v = picked[i];
      let j = i - 1;
      while (j >= 0 && picked[j] > v) (picked[j + 1] = picked[j]), j--;
      picked[j + 1] = v;
    }
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const at = picked[i];
      if (at === previous) continue;
      previous = at;
      for (let s = 0; s < data.length; s++) out[s].push(data[s][at]);
    }
    start = end;
  }
  return out;
}
