import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { compareIds } from '../../src/core/wire.js';
import type { Envelope } from '../../src/core/wire.js';
import { entryToEnvelope, type StreamEntry } from './redis-codec.js';
import { HELLO, READ_TAIL, runScript } from './redis-scripts.js';

/** Entries one tail read takes at most: one delivered batch. */
const TAIL_COUNT = 1000;
/** How long the tail blocks on an idle log; on waking it re-checks the epoch (a FLUSHALL closes no connection). */
const TAIL_BLOCK_MS = 2000;
/** How long {@link StreamTail.delivered} waits before resolving anyway. */
const DELIVERY_WAIT_MS = 2000;

/** What the tail reports to its bus. */
export interface StreamTailHandlers {
  /** A batch of new events, in id order. */
  onBatch(events: readonly Envelope[]): void;
  /** The log was replaced (Redis flushed or restarted without its data): every held position is void. */
  onEpochChange(): void;
  /**
   * Entries after the last delivered id, up to `floor`, were trimmed before the tail read them (a
   * publish larger than the retained log, a lagging tail, a reconnect after others appended more
   * than the log keeps). Called before the batch that follows the gap.
   */
  onTrimmed(floor: string): void;
  /** The tail became able (or unable) to read: it is connected and knows the log's epoch. */
  onSyncedChange(): void;
}

/**
 * One relay process's reader of the shared log, on its own connection: it reads the entries after
 * the last id it delivered together with the log's epoch and trim floor (one script), hands them on
 * in id order, and waits on a blocking XREAD when it has read everything. After a reconnect it
 * resumes after the last id it delivered, so nothing appended meanwhile (through other relays) is
 * skipped; when the log was replaced (a new epoch) or trimmed past that id, it says so instead of
 * skipping silently.
 */
export class StreamTail {
  /** Id of the last event handed on; reads continue after it. */
  private lastDelivered = '0-0';
  /** The epoch this process last saw; null before the first successful hello. */
  private epoch: string | null = null;
  private syncedNow = false;
  private closed = false;
  private readonly waiters: { id: string; resolve: () => void }[] = [];
  private readonly done: Promise<void>;

  constructor(
    private readonly conn: Redis,
    private readonly logKey: string,
    private readonly metaKey: string,
    private readonly handlers: StreamTailHandlers,
  ) {
    // A new connection must re-check the epoch before it reads again.
    conn.on('close', () => this.setSynced(false));
    this.done = this.run();
  }

  /** True while connected and in step with the log's epoch. */
  get synced(): boolean {
    return this.syncedNow;
  }

  /**
   * Resolves once the tail has handed `id` on (or after a grace period, or when the log is
   * replaced). A caller that read a log position waits for it, so the tail never delivers an event
   * at or before a position the caller already holds.
   */
  delivered(id: string): Promise<void> {
    if (compareIds(id, this.lastDelivered) <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      // The events are in the log either way; a slow tail only means the caller hears back later.
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve();
      }, DELIVERY_WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** Stops reading (the caller disconnects the connection) and releases every waiter. */
  async close(): Promise<void> {
    this.closed = true;
    this.releaseWaiters();
    this.conn.disconnect();
    await this.done;
  }

  private setSynced(synced: boolean): void {
    if (synced === this.syncedNow) return;
    this.syncedNow = synced;
    this.handlers.onSyncedChange();
  }

  /**
   * Reads the log's epoch (created if missing) and last id. The first time it adopts them; after
   * that a different epoch means the log was replaced. Returns true when the epoch changed.
   */
  private async hello(): Promise<boolean> {
    const [epoch, last] = (await runScript(this.conn, HELLO, [this.logKey, this.metaKey], [randomUUID()])) as [string, string];
    const changed = this.epoch !== null && epoch !== this.epoch;
    if (this.epoch === null || changed) {
      this.epoch = epoch;
      this.lastDelivered = last === '' ? '0-0' : last;
    }
    if (changed) {
      this.releaseWaiters();
      this.handlers.onEpochChange();
    }
    return changed;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.conn.status !== 'ready') {
          this.setSynced(false);
          await this.connected();
          continue;
        }
        if (!this.syncedNow) {
          await this.hello();
          this.setSynced(true);
        }
        const [epoch, floor, entries] = (await runScript(this.conn, READ_TAIL, [this.logKey, this.metaKey], [this.lastDelivered, TAIL_COUNT])) as [
          string,
          string,
          StreamEntry[],
        ];
        if (this.closed) return;
        if (epoch !== this.epoch) {
          // Entries of a replaced log are dropped: the epoch change makes clients re-read snapshots.
          await this.hello();
          continue;
        }
        if (floor !== '' && compareIds(floor, this.lastDelivered) > 0) this.trimmed(floor);
        if (entries.length > 0) this.deliver(entries);
        if (entries.length === TAIL_COUNT) continue;
        // Everything is read: wait until the log grows (or TAIL_BLOCK_MS passes, to re-check the epoch).
        await this.conn.xread('COUNT', 1, 'BLOCK', TAIL_BLOCK_MS, 'STREAMS', this.logKey, this.lastDelivered);
      } catch {
        if (this.closed) return;
        // The connection dropped (or a command failed): re-sync once it is back, then resume
        // after lastDelivered.
        this.setSynced(false);
        if (this.conn.status === 'ready') await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Resolves when the connection is ready again (or the tail closes). */
  private connected(): Promise<void> {
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (this.closed || this.conn.status === 'ready') {
          clearInterval(check);
          resolve();
        }
      }, 25);
    });
  }

  private deliver(entries: StreamEntry[]): void {
    const events = new Array<Envelope>(entries.length);
    for (let i = 0; i < entries.length; i++) events[i] = entryToEnvelope(entries[i]);
    this.lastDelivered = events[events.length - 1].id;
    this.handlers.onBatch(events);
    this.releaseDeliveredWaiters();
  }

  /** Moves past a gap the tail cannot read any more, after telling the bus about it. */
  private trimmed(floor: string): void {
    this.lastDelivered = floor;
    this.handlers.onTrimmed(floor);
    this.releaseDeliveredWaiters();
  }

  private releaseDeliveredWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareIds(this.waiters[i].id, this.lastDelivered) <= 0) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }
}
