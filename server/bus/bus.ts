import type { Envelope, EventInput, Selector, TopicSnapshot } from '../../src/core/wire.js';

/**
 * The relay's log and state: one interface, two implementations beside this file
 * (`memory-bus.ts` for one process, `redis-bus.ts` for many relays on one Redis).
 *
 * Ids are `<ms>-<seq>` (Redis stream ids), strictly increasing within one log epoch.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';

  /**
   * Appends events atomically, in order: all get ids and change the state, or none do.
   * An input with a `dedupeKey` seen within the dedupe window is skipped (not published again) and
   * counted in `duplicates`; new dedupe keys are remembered in the same atomic step.
   * Rejects with {@link BusUnavailableError} when the backing store cannot be reached.
   */
  append(events: readonly AppendInput[]): Promise<AppendResult>;

  /** A topic's state (narrowed to `keys` when given) and the id of the last event it includes, read atomically. */
  snapshot(topic: string, keys?: readonly string[]): Promise<TopicSnapshot>;

  /**
   * The retained events after `afterId` that match the selectors, in id order; or `ok: false` when the
   * log cannot prove it still holds every event after that id (trimmed, or an id of another epoch).
   * `afterId` may be {@link ORIGIN_ID} ("from the start of this log").
   */
  readSince(afterId: string, selectors: readonly Selector[]): Promise<ReadSinceResult>;

  /** The id of the newest event in the log, or null when the log is empty. */
  lastId(): Promise<string | null>;

  /**
   * Calls the listener with every event this bus delivers, in id order, in batches (one call per
   * append or per read from the shared log). Returns the function that removes the listener.
   */
  subscribe(listener: BusListener): () => void;

  /**
   * Notified when the log was replaced under the relay (e.g. Redis was flushed or restarted without
   * its data): every position a client holds is void, so the relay sends `reset` to all its streams.
   * Returns the function that removes the listener. The memory bus never fires it.
   */
  onEpochChange(listener: () => void): () => void;

  /**
   * Notified when the live feed has a gap: events after the last one delivered, up to and including
   * `floor`, were trimmed from the log before this bus could deliver them (a shared log that other
   * relays filled faster than this one read it). The relay sends `reset` to the streams that lack
   * them. Called before the batch that follows the gap. Returns the function that removes the
   * listener. The memory bus never fires it: it delivers every event as it appends it.
   */
  onTrimmed(listener: (floor: string) => void): () => void;

  /** True while the backing store is reachable (always true for memory). */
  isReady(): boolean;

  /** Notified when readiness changes. Returns the function that removes the listener. */
  onReadyChange(listener: (ready: boolean) => void): () => void;

  /** Releases connections and timers. */
  close(): Promise<void>;
}

export type BusListener = (events: readonly Envelope[]) => void;

export interface AppendInput extends EventInput {
  /** Idempotency key (a webhook's `idempotency_key`): a repeat within the window is skipped. */
  dedupeKey?: string;
  /**
   * `data` already encoded as JSON (by the door's `checkEventLimits`), so the bus stores and
   * sends that text without encoding it again. When absent the bus encodes `data` itself, before
   * it changes anything: a value that cannot be encoded fails the whole append.
   */
  dataJson?: string;
}

export interface AppendResult {
  /** The envelopes written, in order (duplicates excluded). */
  events: Envelope[];
  /** How many inputs were skipped as repeats of a remembered dedupe key. */
  duplicates: number;
}

export type ReadSinceResult =
  | { ok: true; events: Envelope[] }
  | { ok: false; reason: 'expired' | 'epoch' };

/** Options both implementations take. */
export interface BusOptions {
  /** Events kept for replay (`HISTORY_SIZE`). */
  historySize: number;
  /** Longest list an `append` op grows per key before the oldest items drop. */
  listLimit: number;
  /** How long a dedupe key is remembered, in ms. */
  dedupeTtlMs: number;
}

/** The backing store is unreachable: publishers get 503 and should retry. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  constructor(message = 'the event bus is unavailable (Redis cannot be reached); retry later') {
    super(message);
  }
}
