/**
 * Polls `probe` until it returns a truthy value and returns it; fails after `timeoutMs` with
 * `what` and the last value or error seen, so a timeout says what was being waited for.
 * Dependency-free: the server tests, the e2e tests and the browser tests (in Chromium) share it.
 */
export async function pollFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
