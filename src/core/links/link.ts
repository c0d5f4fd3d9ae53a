import type { HubMessage } from '../hub-protocol.js';
import { relayBase } from '../relay-url.js';
import type { Tokens } from '../token.js';

/** Where a page's connection goes and how. */
export interface LinkOptions {
  /** The relay's base URL. */
  relay: string;
  /** The page's subscriber token (the stream's, when it runs in this page). */
  tokens: Tokens;
  /** Whose stream it is: `identityOf` the token ('' for anonymous readers). */
  identity: string;
  /**
   * The connection worker's URL (a same-origin copy when the kit is loaded from another origin),
   * `false` to never use a SharedWorker, or unset for the worker built beside the kit.
   */
  worker?: string | URL | false;
  /** The relay's heartbeat interval (HEARTBEAT_MS), for dead-connection detection. */
  heartbeatMs?: number;
}

/** A page's line to the stream's owner: a SharedWorker port, the leader tab, or this page's own hub. */
export interface HubLink {
  readonly mode: 'worker' | 'leader' | 'page';
  /** True while this tab runs the stream for the others (leader election only). */
  readonly leading?: boolean;
  subscribe(selectors: readonly string[]): void;
  unsubscribe(selectors: readonly string[]): void;
  /** Releases every subscription of this page. */
  close(): void;
}

/** Delivers the owner's messages to the page. */
export type Deliver = (message: HubMessage) => void;

/**
 * The name the tabs of one browser share for one relay and identity: the Web Lock and the
 * BroadcastChannel of leader election. The identity is a hash of the token's `sub` (never the
 * token), so tabs of different readers never share a stream (they may be allowed different
 * topics), and tabs of one reader do, whichever of its tokens they hold.
 */
export function hubName(options: Pick<LinkOptions, 'relay' | 'identity'>): string {
  return `live-elements:${relayBase(options.relay)}#${options.identity}`;
}

