import type { Envelope } from './wire.js';
import type { ConnectionStatus, LiveError } from './status.js';

/**
 * Messages from the stream's owner (a {@link StreamHub} in a SharedWorker, a leader tab or this
 * page) to a page. The same shapes travel over a direct call, a MessagePort or a BroadcastChannel.
 */
export type HubMessage =
  /** Change events of one batch, in id order. */
  | { t: 'events'; events: Envelope[] }
  /**
   * These selectors ride on an open stream now: a page may read their snapshots, and every event
   * after the snapshot will reach it. `lastEventId` is the stream's position.
   */
  | { t: 'covered'; selectors: string[]; lastEventId: string | null }
  /** The relay lost the position for these topics: re-read their snapshots. */
  | { t: 'reset'; topics: string[]; lastEventId: string | null }
  | { t: 'status'; status: ConnectionStatus }
  /** The relay refused these selectors (403): they are off the stream, the others stream on. */
  | { t: 'denied'; selectors: string[]; error: LiveError }
  /** The worker needs a fresh subscriber token: the page answers `token`. */
  | { t: 'token' }
  /** The worker checks that the page is still there; the page answers `pong`. */
  | { t: 'ping' }
  /**
   * Sent by a page's own link, never by a hub: the page was away (back/forward cache) and missed
   * events, so every selection waits for its next `covered` and re-reads its snapshot.
   */
  | { t: 'resync' };

/** Messages from a page to the stream's owner. */
export type PageMessage =
  /**
   * First message on a worker port: which relay, which identity (see `identityOf`), the page's
   * current token, and whether the page can give fresh ones (it has a token function).
   */
  | { t: 'hello'; relay: string; identity: string; token: string | null; renewable: boolean; heartbeatMs?: number; lastEventId?: string | null }
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
