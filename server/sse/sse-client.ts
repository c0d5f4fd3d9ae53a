import type { ServerResponse } from 'node:http';
import type { Envelope, Selector } from '../../src/core/wire.js';
import { SelectorIndex } from '../bus/selector-index.js';

/** One open SSE stream, as the hub tracks it. */
export class SseClient {
  /**
   * Batches that arrived from the bus while the stream was still replaying; null once live.
   * The events route subscribes first and replays second, so nothing published during the switch
   * is lost; on going live it writes only the buffered events newer than what it replayed.
   */
  pending: Envelope[][] | null = [];
  /** Events in {@link pending}: bounded, so a client that cannot take its replay cannot hold live events without limit. */
  pendingEvents = 0;
  /**
   * After going live, events up to this id were already sent (by replay). A bus whose shared tail
   * lags behind its direct reads (Redis) can still deliver them; the fan-out drops them until a
   * batch starts past this id, then clears it.
   */
  skipThrough: string | null = null;
  /** The log was replaced while this stream was still replaying: send `reset` once it is live. */
  epochChangedWhilePending = false;
  /**
   * The bus's live feed skipped events up to this id (trimmed before it read them) while this
   * stream was still replaying: unless the replay went past it, send `reset` once it is live.
   */
  trimmedWhilePending: string | null = null;
  /** Set once the stream is finished; the hub no longer writes to it. */
  closed = false;
  /** When the reader's subscriber token expires (unix ms); the stream ends then (`token-expired`). */
  expiresAt: number | null = null;
  /** @internal the max-lifetime (or token expiry) timer. */
  lifetimeTimer: NodeJS.Timeout | null = null;
  /** True when every selector is a whole topic, so topic membership alone decides a match. */
  readonly wholeTopics: boolean;
  /** The topics this stream covers (named in `reset`). */
  readonly topics: string[];
  private readonly index: SelectorIndex;

  constructor(
    readonly id: string,
    readonly identity: string,
    readonly selectors: readonly Selector[],
    readonly res: ServerResponse,
  ) {
    this.index = new SelectorIndex(selectors);
    this.topics = this.index.topics();
    this.wholeTopics = this.index.wholeTopics();
  }

  /** True when this stream takes whole topics and every one of `topics` is among them. */
  coversAll(topics: readonly string[]): boolean {
    if (!this.wholeTopics) return false;
    for (let i = 0; i < topics.length; i++) if (!this.index.hasTopic(topics[i])) return false;
    return true;
  }

  /** True when this stream's selectors cover the event. */
  wants(topic: string, key: string): boolean {
    return this.index.matches(topic, key);
  }
}
