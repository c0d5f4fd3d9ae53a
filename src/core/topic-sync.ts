import { applyEvent, compareIds, parseSelector, ORIGIN_ID, type Envelope, type ErrorBody, type Selector, type TopicSnapshot } from './wire.js';
import { backoffDelay } from './backoff.js';
import { LIST_LIMIT } from './wire-rules.js';
import type { LiveError } from './status.js';
import type { Tokens } from './token.js';

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
 * snapshot's id, each applied once. Events that arrive before the snapshot answer are buffered and replayed on
 * top of it, so nothing is lost or applied twice.
 */
export class TopicSync {
  readonly selector: Selector;
  /** The selection's current state, key → value. */
  readonly items = new Map<string, unknown>();
  phase: SyncPhase = 'loading';
  error: LiveError | null = null;
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
  private covered = false;
  private fetching = 0;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private pendingEvents: Envelope[] = [];
  private pendingKeys = new Set<string>();
  private pendingReset = false;
  private pendingSnapshot = false;
  private pendingAny = false;

  constructor(
    readonly key: string,
    private readonly relay: string,
    private readonly tokens: Tokens,
    /** Called when this sync has something to report; the owner batches and calls {@link takeBatch}. */
    private readonly markDirty: (sync: TopicSync) => void,
    from: string | null = null,
  ) {
    this.selector = parseSelector(key);
    this.reported = from;
  }

  /** The id of the last event reported in a batch (or the snapshot's position): where a client's copy stands. */
  get position(): string | null {
    return this.reported;
  }

  /** The stream now carries this selector: read the snapshot (once). */
  onCovered(): void {
    if (this.covered || this.disposed) return;
    this.covered = true;
    void this.readSnapshot(false);
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

  /** The relay lost our position: buffer from now on and re-read the snapshot. */
  onReset(): void {
    if (this.disposed) return;
    this.buffer ??= [];
    if (!this.covered) return; // the first snapshot is still to come anyway
    void this.readSnapshot(true);
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

  /** Stops timers and ignores answers still on the way. */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
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

  private snapshotUrl(): string {
    const base = `${this.relay.replace(/\/+$/, '')}/v1/topics/${encodeURIComponent(this.selector.topic)}`;
    return this.selector.key === undefined ? base : `${base}?keys=${encodeURIComponent(this.selector.key)}`;
  }

  private async readSnapshot(isReset: boolean, renewed = false): Promise<void> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    // A newer request supersedes an older one still on the way (a reset during the first read).
    const ticket = ++this.fetching;
    let snapshot: TopicSnapshot;
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      let token: string | null;
      try {
        token = await this.tokens.get();
      } catch (err) {
        return this.fail(ticket, { code: 'token_failed', message: (err as Error).message });
      }
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(this.snapshotUrl(), { headers, cache: 'no-store', credentials: 'omit' });
      if (res.status === 401 && this.tokens.renewable && !renewed) {
        // A stale token: once more with a fresh one.
        await this.tokens.refresh().catch(() => {});
        if (ticket === this.fetching) return this.readSnapshot(isReset, true);
        return;
      }
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
        const error = {
          code: body?.error?.code ?? `http_${res.status}`,
          message: `reading the snapshot of "${this.key}" failed with ${res.status}: ${body?.error?.message ?? res.statusText}`,
        };
        if (res.status === 401 || res.status === 403 || res.status === 404) return this.fail(ticket, error);
        throw Object.assign(new Error(error.message), { live: error });
      }
      snapshot = (await res.json()) as TopicSnapshot;
    } catch (err) {
      if (ticket !== this.fetching || this.disposed) return;
      const e = err as Error & { live?: LiveError };
      this.error = e.live ?? { code: 'network', message: `cannot read the snapshot of "${this.key}" from ${this.relay}: ${e.message}` };
      this.failures++;
      this.retryTimer = setTimeout(() => void this.readSnapshot(isReset), backoffDelay(this.failures, 1000, 30_000) + 250);
      this.dirty();
      return;
    }
    if (ticket !== this.fetching || this.disposed) return;
    this.failures = 0;
    this.error = null;
    const before = new Set(this.items.keys());
    this.items.clear();
    for (const [k, v] of Object.entries(snapshot.items)) this.items.set(k, v);
    for (const k of before) this.pendingKeys.add(k);
    for (const k of this.items.keys()) this.pendingKeys.add(k);
    this.lastId = snapshot.lastEventId ?? ORIGIN_ID;
    // After a loss (reset) the events in between are gone: report from the snapshot on.
    if (this.reported === null || isReset) this.reported = this.lastId;
    const buffered = this.buffer ?? [];
    this.buffer = null;
    this.phase = 'ready';
    this.pendingReset ||= isReset;
    this.pendingSnapshot = true;
    this.dirty();
    for (const e of buffered) this.take(e);
  }

  private fail(ticket: number, error: LiveError): void {
    if (ticket !== this.fetching || this.disposed) return;
    this.phase = 'error';
    this.error = error;
    this.dirty();
  }
}
