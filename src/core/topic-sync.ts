import { applyEvent, compareIds, parseSelector, ORIGIN_ID, type Envelope, type SnapshotEvent } from './wire.js';
import { LIST_LIMIT } from './wire-rules.js';
import type { LiveError } from './status.js';

/** Loading until the first snapshot is in, then ready; error when the relay refused the topic. */
export type SyncPhase = 'loading' | 'ready' | 'error';

/** What a subscriber receives once per batch. */
export interface SyncBatch {
  /** The events applied in this batch, in id order (empty when only the phase or a snapshot changed). */
  readonly events: readonly Envelope[];
  /** Keys whose value changed (added, changed or deleted). */
  readonly changedKeys: ReadonlySet<string>;
  /** True when the state was replaced by a re-read snapshot after the relay signalled loss (`reset`). */
  readonly reset: boolean;
  /** True when the state was replaced by a snapshot in this batch (the first one, or a re-read). */
  readonly snapshot: boolean;
}

/**
 * The state of one selector in one stream hub (the SharedWorker, the leader tab, or a page that
 * streams alone), shared by every page showing it: the snapshot, then every event after the
 * snapshot's id, each applied once. The snapshot comes in the stream's first frames (the hub asks
 * for it with the stream request, see {@link needsSnapshot}); events that arrive before it are
 * buffered and replayed on top of it, so nothing is lost or applied twice.
 */
export class TopicSync {
  /** The selection's current state, key → value. */
  readonly items = new Map<string, unknown>();
  phase: SyncPhase = 'loading';
  error: LiveError | null = null;
  /** True when the stream request being made asks for this selection's snapshot (set by the hub). */
  asked = false;
  /** Id of the last event applied (or the snapshot's position). */
  private lastId: string | null = null;
  /**
   * Id of the last event reported in a batch: from here on every event is reported once, applied
   * or not. Null until the first snapshot, which sets it to its own position, unless the sync
   * started `from` a position its clients already hold (a new leader tab taking over): then the
   * events between that position and the snapshot are reported too, so no client misses one.
   */
  private reported: string | null;
  /** Non-null while a snapshot is awaited: the events to replay on top of it. */
  private buffer: Envelope[] | null = [];
  /** A reset came while a position was held: the next snapshot replaces the state as a reset. */
  private lost = false;
  private disposed = false;
  private pendingEvents: Envelope[] = [];
  private pendingKeys = new Set<string>();
  private pendingReset = false;
  private pendingSnapshot = false;
  private pendingAny = false;

  constructor(
    /** The selection, `topic` or `topic/key`. */
    readonly selector: string,
    /** Called when this sync has something to report; the owner batches and calls {@link takeBatch}. */
    private readonly markDirty: (sync: TopicSync) => void,
    from: string | null = null,
  ) {
    parseSelector(selector); // throws on a bad one, naming it
    this.reported = from;
  }

  /** The id of the last event reported in a batch (or the snapshot's position): where a client's copy stands. */
  get position(): string | null {
    return this.reported;
  }

  /** True until the first snapshot is in, and again after a reset until the next one is. */
  get needsSnapshot(): boolean {
    return this.buffer !== null && !this.disposed;
  }

  /**
   * The relay refused the stream for good (401/403/404): a selection still loading cannot load.
   * `always`: the relay refused this very selector (403), so even a loaded one stops here.
   */
  onStreamError(error: LiveError, always = false): void {
    if ((this.phase === 'ready' && !always) || this.disposed) return;
    this.phase = 'error';
    this.error = error;
    this.dirty();
  }

  /** Events for this selector, in id order. */
  onEvents(events: readonly Envelope[]): void {
    if (this.buffer) {
      this.buffer.push(...events);
      return;
    }
    for (const e of events) this.take(e);
  }

  /**
   * The relay lost the stream's position for this topic: buffer from now on until a new snapshot.
   * One asked for in the request that brought the reset is still to come after it; otherwise the
   * hub asks for one with its next stream request.
   */
  onReset(): void {
    if (this.disposed) return;
    this.buffer ??= [];
    // Without a position (the first snapshot is still to come) there is nothing to lose.
    if (this.reported !== null) this.lost = true;
  }

  /**
   * The selection's snapshot from the stream: it replaces the state, and the buffered events after
   * its position are applied on it. Ignored unless one is awaited.
   */
  onSnapshot(snapshot: SnapshotEvent): void {
    if (!this.needsSnapshot) return;
    this.asked = false;
    this.error = null;
    const before = new Set(this.items.keys());
    this.items.clear();
    for (const [k, v] of Object.entries(snapshot.items)) this.items.set(k, v);
    for (const k of before) this.pendingKeys.add(k);
    for (const k of this.items.keys()) this.pendingKeys.add(k);
    this.lastId = snapshot.lastEventId ?? ORIGIN_ID;
    // After a loss (reset) the events in between are gone: report from the snapshot on.
    if (this.reported === null || this.lost) this.reported = this.lastId;
    const buffered = this.buffer ?? [];
    this.buffer = null;
    this.phase = 'ready';
    this.pendingReset ||= this.lost;
    this.lost = false;
    this.pendingSnapshot = true;
    this.dirty();
    for (const e of buffered) this.take(e);
  }

  /** The batch gathered since the last call, or null when there is nothing new. */
  takeBatch(): SyncBatch | null {
    if (!this.pendingAny) return null;
    const batch: SyncBatch = { events: this.pendingEvents, changedKeys: this.pendingKeys, reset: this.pendingReset, snapshot: this.pendingSnapshot };
    this.pendingEvents = [];
    this.pendingKeys = new Set();
    this.pendingReset = false;
    this.pendingSnapshot = false;
    this.pendingAny = false;
    return batch;
  }

  /** Ignores whatever still arrives for it. */
  dispose(): void {
    this.disposed = true;
  }

  /** Reports an event not reported yet, and applies it when the state does not hold it yet. */
  private take(e: Envelope): void {
    if (this.reported === null || compareIds(e.id, this.reported) > 0) {
      this.reported = e.id;
      this.pendingEvents.push(e);
      this.dirty();
    }
    if (this.lastId !== null && compareIds(e.id, this.lastId) <= 0) return;
    this.lastId = e.id;
    applyEvent(this.items, e, LIST_LIMIT);
    this.pendingKeys.add(e.key);
    this.dirty();
  }

  private dirty(): void {
    this.pendingAny = true;
    this.markDirty(this);
  }
}
