import type { HubMessage } from '../hub-protocol.js';

/** Where a page's connection goes and how. */
export interface LinkOptions {
  /** The relay's base URL. */
  relay: string;
  /** Bearer token for the stream and the snapshots. */
  token?: string | null;
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
 * The name the tabs of one browser share for one relay and token: the SharedWorker's name, the
 * Web Lock and the BroadcastChannel. The token enters only as a hash, so tabs with different
 * tokens never share a stream (they may be allowed different topics).
 */
export function hubName(options: LinkOptions): string {
  return `live-elements:${options.relay.replace(/\/+$/, '')}#${fnv1a(options.token ?? '')}`;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
