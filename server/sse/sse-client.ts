import type { ServerResponse } from 'node:http';
import { compareIds, type Envelope, type Selector } from '../../src/core/wire.js';
import { SelectorIndex } from '../bus/selector-index.js';

/**
 * One open SSE stream, as the hub tracks it: what it selects, and where it is between replay and
 * live. Its state changes only through its methods; the hub decides when.
 */
export class SseClient {
  private pendingBatches: Envelope[][] | null = [];
  private pendingCount = 0;
  private skip: string | null = null;
  private epochChanged = false;
  private trimmed: string | null = null;
  private isClosed = false;
  private timer: NodeJS.Timeout | null = null;
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
    /** When the reader's subscriber token expires (unix ms); the stream ends then (`token-expired`). */
    readonly expiresAt: number | null = null,
  ) {
    this.index = new SelectorIndex(selectors);
    this.topics = this.index.topics();
    this.wholeTopics = this.index.wholeTopics();
  }

  /**
   * True while the stream is still replaying: the batches that arrive from the bus meanwhile are
   * buffered ({@link buffer}). The stream subscribes first and replays second, so nothing published
   * during the switch is lost; on going live it gets only the buffered events newer than its replay.
   */
  get pending(): boolean {
    return this.pendingBatches !== null;
  }

  /** Events buffered while replaying: bounded by the hub, so a client that cannot take its replay cannot hold live events without limit. */
  get pendingEvents(): number {
    return this.pendingCount;
  }

  /**
   * After going live, events up to this id were already sent (by replay). A bus whose shared tail
   * lags behind its direct reads (Redis) can still deliver them; the fan-out drops them until a
   * batch starts past this id, then clears it ({@link skipDone}).
   */
  get skipThrough(): string | null {
    return this.skip;
  }

  /** The log was replaced while this stream was still replaying: send `reset` once it is live. */
  get epochChangedWhilePending(): boolean {
    return this.epochChanged;
  }

  /**
   * The bus's live feed skipped events up to this id (trimmed before it read them) while this
   * stream was still replaying: unless the replay went past it, send `reset` once it is live.
   */
  get trimmedWhilePending(): string | null {
    return this.trimmed;
  }

  /** Set once the stream is finished; the hub no longer writes to it. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The max-lifetime (or token expiry) timer; null once the stream is closed. */
  get lifetimeTimer(): NodeJS.Timeout | null {
    return this.timer;
  }

  /** Calls `end` after `ms`, unless the stream closes first. */
  armLifetime(ms: number, end: () => void): void {
    // Not unref'd: it is always cleared when the stream closes, and a ref'd timer stays visible to
    // process.getActiveResourcesInfo(), which the leak test counts.
    this.timer = setTimeout(end, ms);
  }

  /** Marks the stream finished and drops what it buffered; false when it already was. */
  close(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    this.pendingBatches = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return true;
  }

  /** Buffers a live batch while replaying; returns how many events are buffered now. */
  buffer(events: readonly Envelope[]): number {
    this.pendingBatches!.push(events as Envelope[]);
    return (this.pendingCount += events.length);
  }

  /** Ends the replay: returns the batches buffered meanwhile (null when it already ended or the stream closed). */
  endReplay(): Envelope[][] | null {
    const batches = this.pendingBatches;
    this.pendingBatches = null;
    return batches;
  }

  /** Sets {@link skipThrough}: the replay sent every event through `position`. */
  skipUpTo(position: string | null): void {
    this.skip = position;
  }

  /** The fan-out went past {@link skipThrough}, or it no longer applies: deliver everything from now on. */
  skipDone(): void {
    this.skip = null;
  }

  /** Notes, while replaying, that the live feed skipped events through `floor`. */
  noteTrimmed(floor: string): void {
    if (this.trimmed === null || compareIds(floor, this.trimmed) > 0) this.trimmed = floor;
  }

  /** The log was replaced: the position this stream holds is void. */
  noteEpochChange(): void {
    this.skip = null;
    if (this.pendingBatches) this.epochChanged = true;
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
