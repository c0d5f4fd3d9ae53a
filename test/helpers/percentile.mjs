// Plain JavaScript, so that the bench's load generator (a plain node process) shares it with the tests.

/**
 * The p-th percentile (0..100) of `sorted` (ascending; an array or a typed array), by nearest
 * rank; NaN when it is empty.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
