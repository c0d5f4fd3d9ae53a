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
