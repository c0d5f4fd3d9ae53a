/** Reconnection delays: capped exponential backoff with full jitter. */
export interface BackoffOptions {
  /** The first delay's ceiling in ms (the relay's `retry:` replaces it). Default 1000. */
  baseMs: number;
  /** The largest delay in ms. Default 30000. */
  capMs: number;
  /** A connection open this long counts as healthy: the next failure starts from the base again. Default 60000. */
  healthyMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000, healthyMs: 60_000 };

/**
 * The delay before reconnection attempt `failures` (1 for the first retry): a uniform random
 * value in [0, min(cap, base * 2^(failures-1))]. Full jitter spreads a crowd of clients that lost
 * the same relay at the same moment, so they do not return all at once.
 */
export function backoffDelay(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  return Math.floor(random() * exp);
}
