import type { Logger } from 'pino';
import { compareIds, ORIGIN_ID } from '../../src/core/wire.js';
import type { Envelope, ResetEvent, TimeoutEvent } from '../../src/core/wire.js';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import { changeFrame, HEARTBEAT_FRAME, resetFrame, timeoutFrame } from './frames.js';
import type { SseClient } from './sse-client.js';

/** Why a new stream is refused. */
export type AdmitRefusal = 'total' | 'identity';

/**
 * Every open SSE stream of one relay, and the fan-out from the bus to them. The hub holds ONE bus
 * subscription and ONE heartbeat timer however many clients there are; per client it keeps only
 * the stream and its lifetime timer, both released when the stream closes.
 */
export class ClientHub {
  private readonly clients = new Map<string, SseClient>();
  private readonly perIdentity = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private readonly unEpoch: () => void;
  private readonly unTrimmed: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private nextClientNumber = 0;

  constructor(
    private readonly bus: Bus,
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe((events) => this.deliver(events));
    this.unEpoch = bus.onEpochChange(() => void this.resetAll());
    this.unTrimmed = bus.onTrimmed((floor) => this.resetTrimmed(floor));
    this.heartbeat = setInterval(() => this.beat(), config.HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Open streams right now. */
  get size(): number {
    return this.clients.size;
  }

  /** The open streams (for diagnostics and tests). */
  list(): IterableIterator<SseClient> {
    return this.clients.values();
  }

  /** How many identities hold streams (tests check that disconnects release their entry). */
  get identityCount(): number {
    return this.perIdentity.size;
  }

  /** Open streams of one identity. */
  countFor(identity: string): number {
    return this.perIdentity.get(identity) ?? 0;
  }

  /** A fresh client id, unique within this relay process. */
  newClientId(): string {
    return `${process.pid.toString(36)}-${(this.nextClientNumber++).toString(36)}`;
  }

  /** Null when a new stream for `identity` fits under MAX_CLIENTS and MAX_CLIENTS_PER_IDENTITY. */
  refusal(identity: string): AdmitRefusal | null {
    if (this.clients.size >= this.config.MAX_CLIENTS) return 'total';
    if (this.countFor(identity) >= this.config.MAX_CLIENTS_PER_IDENTITY) return 'identity';
    return null;
  }

  /** Starts delivering to `client` (into its pending buffer until {@link goLive}) and arms its lifetime. */
  add(client: SseClient): void {
    this.clients.set(client.id, client);
    this.perIdentity.set(client.identity, this.countFor(client.identity) + 1);
    this.metrics.sseClients.inc();
    // Not unref'd: it is always cleared when the stream closes, and a ref'd timer stays visible to
    // process.getActiveResourcesInfo(), which the leak test counts.
    // One timer for both ends of a stream's life: whichever comes first, lifetime or token expiry.
    const untilExpiry = client.expiresAt === null ? Infinity : Math.max(0, client.expiresAt - Date.now());
    const reason = untilExpiry < this.config.MAX_LIFETIME_MS ? 'token-expired' : 'lifetime';
    client.lifetimeTimer = setTimeout(() => this.end(client, { reason }), Math.min(untilExpiry, this.config.MAX_LIFETIME_MS));
  }

  /** Forgets `client`; safe to call more than once. */
  remove(client: SseClient): void {
    if (client.closed) return;
    client.closed = true;
    client.pending = null;
    if (client.lifetimeTimer) clearTimeout(client.lifetimeTimer);
    client.lifetimeTimer = null;
    this.clients.delete(client.id);
    const n = this.countFor(client.identity) - 1;
    if (n > 0) this.perIdentity.set(client.identity, n);
    else this.perIdentity.delete(client.identity);
    this.metrics.sseClients.dec();
  }

  /**
   * Switches a replayed stream to live: writes the buffered events newer than `position` (the last
   * id the client has), then lets the fan-out write straight to it.
   */
  goLive(client: SseClient, position: string | null): void {
    const batches = client.pending;
    client.pending = null;
    if (client.closed || !batches) return;
    const floor = client.trimmedWhilePending;
    if (floor !== null && (position === null || compareIds(position, floor) < 0)) {
      // The live feed skipped events this stream's replay did not reach: the client re-reads its
      // snapshots and the stream continues after the gap.
      this.sendReset(client, floor, 'expired');
      position = floor;
    }
    client.skipThrough = position;
    let chunk = '';
    let count = 0;
    for (const batch of batches) {
      for (const e of batch) {
        if (position !== null && compareIds(e.id, position) <= 0) continue;
        if (!client.wants(e.topic, e.key)) continue;
        chunk += changeFrame(e);
        count++;
      }
    }
    if (count > 0) {
      this.metrics.eventsDelivered.inc(count);
      this.write(client, chunk);
    }
    if (client.epochChangedWhilePending) void this.resetOne(client);
  }

  /**
   * Writes `text` to the client's socket, unless the client has not yet taken what it was sent
   * before: when more than MAX_BUFFERED_BYTES from earlier writes are still unsent, the client is
   * evicted (it resumes by id) instead of buffered without bound. Checked before the write because
   * a response corks its socket until the next tick, so right after a write the whole chunk counts
   * as unsent even for a fast reader. What the relay holds per client stays under the limit plus
   * one batch.
   */
  write(client: SseClient, text: string): void {
    if (client.closed) return;
    const res = client.res;
    if (res.writableLength > this.config.MAX_BUFFERED_BYTES) {
      this.evict(client);
      return;
    }
    res.write(text);
  }

  /** Disconnects a client that cannot keep up (it resumes by id) and counts it. */
  evict(client: SseClient): void {
    if (client.closed) return;
    const res = client.res;
    this.metrics.clientsEvicted.inc();
    this.log.debug({ clientId: client.id, buffered: res.writableLength, pending: client.pendingEvents }, 'evicting a client that does not keep up');
    this.remove(client);
    res.destroy();
  }

  /** Sends `event: timeout` and closes the stream. */
  end(client: SseClient, body: TimeoutEvent): void {
    if (client.closed) return;
    const res = client.res;
    this.remove(client);
    res.end(timeoutFrame(body));
  }

  /** Sends `event: timeout` with `reason` to every stream and closes them (graceful shutdown). */
  endAll(body: TimeoutEvent): void {
    for (const client of [...this.clients.values()]) this.end(client, body);
  }

  /** Stops the fan-out and the heartbeat; open streams are ended with reason `shutdown`. */
  close(): void {
    this.endAll({ reason: 'shutdown' });
    this.unsubscribe();
    this.unEpoch();
    this.unTrimmed();
    clearInterval(this.heartbeat);
  }

  /**
   * The hot path: each event's frame is made once per batch (from the JSON its bus recorded), and each client gets at most one
   * write per batch holding just the events its selectors cover.
   */
  private deliver(batch: readonly Envelope[]): void {
    if (this.clients.size === 0) return;
    const { events, frames } = this.encode(batch);
    const n = events.length;
    if (n === 0) return;
    let all: string | null = null;
    let delivered = 0;
    // The batch's distinct topics, once: a client taking whole topics that covers them all gets the
    // shared chunk after one check per topic instead of one selector test per event (the fan-out
    // bench's common case: 1,000 clients x 100-event batches was 100,000 tests per batch).
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(events[i].topic);
    const topics = [...seen];
    for (const client of this.clients.values()) {
      try {
        delivered += this.deliverTo(client, events, frames, topics, () => (all ??= frames.join('')));
      } catch (err) {
        // One client's failure (its socket, its selectors) must not cost the others the batch.
        this.log.error({ err, clientId: client.id }, 'delivering to a client failed; disconnecting it (it resumes by id)');
        this.evict(client);
      }
    }
    if (delivered > 0) this.metrics.eventsDelivered.inc(delivered);
  }

  /**
   * Each event's frame, once per batch. An event that cannot be encoded (only one that did not come
   * through a bus's append could fail: the buses encode what they store) is left out and logged,
   * never the batch.
   */
  private encode(batch: readonly Envelope[]): { events: readonly Envelope[]; frames: string[] } {
    const frames: string[] = [];
    /** Set at the first failure: the events kept so far. */
    let kept: Envelope[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      let frame: string;
      try {
        frame = changeFrame(batch[i]);
      } catch (err) {
        this.log.error({ err, id: batch[i].id, topic: batch[i].topic, key: batch[i].key }, 'an event could not be encoded for the stream; it is left out');
        kept ??= batch.slice(0, i);
        continue;
      }
      frames.push(frame);
      kept?.push(batch[i]);
    }
    return { events: kept ?? batch, frames };
  }

  /** Writes the batch's events this client takes (or buffers them while it replays); returns how many it wrote. */
  private deliverTo(client: SseClient, events: readonly Envelope[], frames: string[], topics: string[], all: () => string): number {
    const n = events.length;
    if (client.pending) {
      client.pending.push(events as Envelope[]);
      client.pendingEvents += n;
      // More live events piled up behind its replay than the log even keeps: it resumes by id.
      if (client.pendingEvents > this.config.HISTORY_SIZE) this.evict(client);
      return 0;
    }
    if (client.skipThrough === null && client.coversAll(topics)) {
      this.write(client, all());
      return n;
    }
    let from = 0;
    if (client.skipThrough !== null) {
      from = this.skipCount(client, events);
      if (from === n) return 0;
    }
    // While every event so far matched, share one joined chunk among such clients; on the first
    // miss, build this client's own chunk from the matches.
    let chunk: string | null = null;
    let count = 0;
    if (from > 0) chunk = '';
    for (let i = from; i < n; i++) {
      const e = events[i];
      if (client.wants(e.topic, e.key)) {
        if (chunk !== null) chunk += frames[i];
        count++;
      } else if (chunk === null) {
        chunk = '';
        for (let j = 0; j < i; j++) chunk += frames[j];
      }
    }
    if (count === 0) return 0;
    this.write(client, chunk ?? all());
    return count;
  }

  /**
   * How many leading events of the batch the client already has (ids up to its skipThrough);
   * clears skipThrough once the batch goes past it, so live clients pay nothing.
   */
  private skipCount(client: SseClient, events: readonly Envelope[]): number {
    const through = client.skipThrough!;
    let i = 0;
    while (i < events.length && compareIds(events[i].id, through) <= 0) i++;
    if (i < events.length) client.skipThrough = null;
    return i;
  }

  private beat(): void {
    for (const client of this.clients.values()) {
      if (!client.pending) this.write(client, HEARTBEAT_FRAME);
    }
  }

  /**
   * The bus's live feed skipped events through `floor` (trimmed before the bus read them): every
   * stream that had not already received them (by replay) gets `reset`, exactly as a client
   * resuming from a trimmed position does, and continues after the gap. Synchronous, so the reset
   * precedes the batch that follows the gap.
   */
  private resetTrimmed(floor: string): void {
    for (const client of [...this.clients.values()]) {
      if (client.pending) {
        if (client.trimmedWhilePending === null || compareIds(floor, client.trimmedWhilePending) > 0) client.trimmedWhilePending = floor;
        continue;
      }
      if (client.skipThrough !== null && compareIds(client.skipThrough, floor) >= 0) continue;
      client.skipThrough = null;
      this.sendReset(client, floor, 'expired');
    }
  }

  /** The log was replaced: every position a client holds is void. */
  private async resetAll(): Promise<void> {
    for (const client of this.clients.values()) {
      // Ids of the new log say nothing about positions in the old one.
      client.skipThrough = null;
      if (client.pending) client.epochChangedWhilePending = true;
    }
    let head: string | null;
    try {
      head = await this.bus.lastId();
    } catch {
      head = null;
    }
    for (const client of [...this.clients.values()]) {
      if (!client.pending) this.sendReset(client, head);
    }
  }

  private async resetOne(client: SseClient): Promise<void> {
    let head: string | null;
    try {
      head = await this.bus.lastId();
    } catch {
      head = null;
    }
    this.sendReset(client, head);
  }

  private sendReset(client: SseClient, head: string | null, reason: ResetEvent['reason'] = 'epoch'): void {
    if (client.closed) return;
    this.metrics.replayResets.inc();
    this.write(client, resetFrame({ topics: client.topics, reason, lastEventId: head ?? ORIGIN_ID }));
  }
}
