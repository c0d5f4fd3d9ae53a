import type { Envelope } from './wire.js';
import type { ConnectionStatus, LiveError } from './status.js';
import type { SyncPhase } from './topic-sync.js';

/**
 * Messages from the stream's owner (a {@link StreamHub} in a SharedWorker, a leader tab or this
 * page) to a page. The same shapes travel over a direct call, a BroadcastChannel or a MessagePort
 * (where the SharedWorker posts arrays of them: what it has for a page at the end of a task).
 */
export type HubMessage =
  /**
   * What changed in one selection since the last message about it, as one batch. The hub keeps
   * the selection's state (snapshot, then the stream's events after it, each applied once) and
   * sends each page only the values that changed: `set` (new values) and `del` (deleted keys), or
   * with `full` the whole state, which replaces what the page held (its first state, a re-read
   * snapshot, or the state a page gets when it joins a selection the hub already holds).
   */
  | {
      t: 'sync';
      selector: string;
      phase: SyncPhase;
      error: LiveError | null;
      full: boolean;
      /** The relay lost the position and the snapshot was re-read: events may be missing from `events`. */
      reset: boolean;
      set: Array<[string, unknown]>;
      del: string[];
      /** The events of this batch, in id order (with `full`, those after the position the hub started from). */
      events: readonly Envelope[];
      /** The stream position the selection's copy stands at (a leader taking over resumes from it). */
      at: string | null;
    }
  | { t: 'status'; status: ConnectionStatus }
  /** The worker needs a fresh subscriber token: the page answers `token`. */
  | { t: 'token' }
  /** The worker checks that the page is still there; the page answers `pong`. */
  | { t: 'ping' }
  /**
   * Sent by a page's own link, never by a hub: the page was away (back/forward cache) and may
   * have missed batches, so the full states that follow its new `hello` count as resets.
   */
  | { t: 'resync' };

/** Messages from a page to the stream's owner. */
export type PageMessage =
  /**
   * First message on a worker port: which relay, which identity (see `identityOf`), the page's
   * current token, and whether the page can give fresh ones (it has a token function).
   */
  | { t: 'hello'; relay: string; identity: string; token: string | null; renewable: boolean; heartbeatMs?: number }
  /** The answer to the worker's `token` request: a fresh token, or why there is none. */
  | { t: 'token'; token: string | null; error?: string }
  | { t: 'subscribe'; selectors: string[] }
  | { t: 'unsubscribe'; selectors: string[] }
  | { t: 'pong' }
  /** The page is going away (pagehide): release its subscriptions. */
  | { t: 'bye' };

/** A page as the hub sees it: where its messages go. */
export interface HubClient {
  deliver(message: HubMessage): void;
}
