/**
 * Polls `check` every `everyMs` until it returns a truthy value, and resolves with that value;
 * rejects after `timeoutMs` naming `what` and the last value or error seen, so a timeout says what
 * was being waited for. An error thrown by `check` counts as "not yet". Dependency-free: the server,
 * e2e and browser tests (in every engine) share it.
 */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
