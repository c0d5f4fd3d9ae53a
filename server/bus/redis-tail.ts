import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { compareIds } from '../../src/core/wire.js';
import type { Envelope } from '../../src/core/wire.js';
import { entryToEnvelope, type StreamEntry } from './redis-codec.js';
import { HELLO, runScript } from './redis-scripts.js';

/** Entries one tail read takes at most: one delivered batch. */
const TAIL_COUNT = 1000;
/** How long the tail blocks on an idle log; on waking it re-checks the epoch (a FLUSHALL closes no connection). */
const TAIL_BLOCK_MS = 2000;
/** The epoch is re-checked at most this often while events flow. */
const EPOCH_CHECK_MS = 1000;
/** How long {@link StreamTail.delivered} waits before resolving anyway. */
const DELIVERY_WAIT_MS = 2000;

/** What the tail reports to its bus. */
export interface StreamTailHandlers {
  /** A batch of new events, in id order. */
  onBatch(events: readonly Envelope[]): void;
  /** The log was replaced (Redis flushed or restarted without its data): every held position is void. */
  onEpochChange(): void;
  /** The tail became able (or unable) to read: it is connected and knows the log's epoch. */
  onSyncedChange(): void;
}

/**
 * One relay process's reader of the shared log: a blocking XREAD at a time on its own connection,
 * handing each batch on in id order. After a reconnect it resumes after the last id it delivered,
 * so nothing appended meanwhile (through other relays) is skipped, unless the log's epoch changed.
 */
export class StreamTail {
  /** Id of the last event handed on; reads continue after it. */
  private lastDelivered = '0-0';
  /** The epoch this process last saw; null before the first successful hello. */
  private epoch: string | null = null;
  private lastEpochCheck = 0;
  private epochSuspect = false;
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

  /** An epoch seen by a command on another connection: verify it before delivering more. */
  noticeEpoch(epoch: string): void {
    if (this.epoch !== null && epoch !== this.epoch) this.epochSuspect = true;
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
    this.lastEpochCheck = Date.now();
    this.epochSuspect = false;
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
        const reply = (await this.conn.xread('COUNT', TAIL_COUNT, 'BLOCK', TAIL_BLOCK_MS, 'STREAMS', this.logKey, this.lastDelivered)) as
          | [string, StreamEntry[]][]
          | null;
        if (this.closed) return;
        // Entries of a replaced log are dropped: the epoch change makes clients re-read snapshots.
        if ((this.epochSuspect || Date.now() - this.lastEpochCheck >= EPOCH_CHECK_MS) && (await this.hello())) continue;
        if (reply && reply[0][1].length > 0) this.deliver(reply[0][1]);
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
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareIds(this.waiters[i].id, this.lastDelivered) <= 0) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }
}
