/**
 * A number for a reliability test: the short default `npm test` uses, or the soak's bigger one from
 * the environment (`npm run soak` sets these). A bad value stops the test with the variable's name.
 */
export function soakNumber(name: string, short: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return short;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${JSON.stringify(raw)}: must be a non-negative number`);
  return n;
}

/** True under `npm run soak` (LIVE_SOAK=1): the long runs, with their extra assertions. */
export const isSoak = process.env.LIVE_SOAK === '1';

/** The p-th percentile (0..100) of `values` (sorted in place); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const i = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[i];
}
