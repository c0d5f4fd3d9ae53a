import { pollFor } from './poll.js';

/** Polls `check` until it returns true; rejects after `timeoutMs` with `what` in the message. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<void> {
  await pollFor(what, check, timeoutMs, everyMs);
}
