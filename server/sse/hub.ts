import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { compareIds, formatSelector, ORIGIN_ID, parseId } from '../../src/core/wire.js';
import type { Envelope, ResetEvent, Selector, TimeoutEvent } from '../../src/core/wire.js';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import { changeFrame, connectedFrame, HEARTBEAT_FRAME, resetFrame, snapshotFrame, timeoutFrame } from './frames.js';
import { writeReplay } from './replay-writer.js';
import { SseClient } from './sse-client.js';

/** Why a new stream is refused. */
export type AdmitRefusal = 'total' | 'identity';

/** A stream the events route admitted and authorized. */
export interface StreamRequest {
  /** Who opens it (address, or its prefix), counted against MAX_CLIENTS_PER_IDENTITY. */
  readonly identity: string;
  readonly selectors: readonly Selector[];
  /** When the reader's token expires (unix ms), or null. */
  readonly expiresAt: number | null;
  /** The id to resume after (`Last-Event-ID`), or null to start at the log's head. */
  readonly resumeFrom: string | null;
  /**
   * The selections to send a `snapshot` frame for (`snapshot=`), each covered by `selectors` and
   * so authorized with them; at most MAX_SELECTORS, no two alike.
   */
  readonly snapshots?: readonly Selector[];
}

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

  /**
   * Opens a stream on `res` and keeps it until it closes: `connected`, the replay after
   * `resumeFrom` (or `reset` when the log cannot prove it holds it all) with the requested
   * snapshots before it, then live events with no gap and no duplicate between the two. Rejects
   * (the stream forgotten) when the bus cannot be read; the caller answers that error unless the
   * headers are already sent.
   */
  async open(res: ServerResponse, request: StreamRequest): Promise<void> {
    // Subscribe first (the hub buffers into the client's pending batches), read the log second:
    // whatever is published while the log is read is buffered, and goLive drops what replay already sent.
    const client = new SseClient(this.newClientId(), request.identity, request.selectors, res, request.expiresAt);
    this.add(client);
    res.on('close', () => this.remove(client));
    // A write racing a disconnect must not surface as an unhandled 'error'; 'close' cleans up.
    res.on('error', () => this.remove(client));
    try {
      await this.replay(client, request.resumeFrom, request.snapshots ?? []);
    } catch (err) {
      this.remove(client);
      throw err;
    }
  }

  /**
   * The stream's first frames and its switch to live. Every position is read after the client was
   * subscribed: the stream's own (the log's head, or `resumeFrom` proven by the replay read), then
   * each snapshot with its position, which is thus at or after the stream's. The stream carries
   * every event after its own position, so every event after a snapshot's position reaches the
   * client; those at or before it are in the snapshot already (the client applies them once).
   */
  private async replay(client: SseClient, resumeFrom: string | null, snapshots: readonly Selector[]): Promise<void> {
    const { bus, config, metrics } = this;
    /** Where the stream starts (`connected`), the events replayed after it, and the last id the client then has. */
    let start: string;
    let replayed: readonly Envelope[] = [];
    let position: string | null;
    let reset: ResetEvent | null = null;
    const result = resumeFrom === null ? null : parseId(resumeFrom) ? await bus.readSince(resumeFrom, client.selectors) : ({ ok: false, reason: 'epoch' } as const);
    if (resumeFrom !== null && result?.ok) {
      start = resumeFrom;
      replayed = result.events;
      position = replayed.length > 0 ? replayed[replayed.length - 1].id : resumeFrom;
    } else {
      position = await bus.lastId();
      start = position ?? ORIGIN_ID;
      // The log cannot prove it holds everything after that position: say so, for every topic (a
      // selection with a snapshot below has its state, but the events between its client's
      // position and the snapshot are gone), and continue from the log's head.
      if (result && !result.ok) reset = { topics: client.topics, reason: result.reason, lastEventId: start };
    }
    const frames = await this.snapshotFrames(snapshots);
    if (client.closed) return;
    if (reset) metrics.replayResets.inc();
    startStream(client.res);
    const head = [connectedFrame({ clientId: client.id, lastEventId: start }, config.RETRY_MS), ...(reset ? [resetFrame(reset)] : []), ...frames];
    const sliceChars = Math.max(16 * 1024, config.MAX_BUFFERED_BYTES >> 1);
    if (!(await writeReplay(client.res, head, replayed, sliceChars, () => client.closed))) return;
    if (replayed.length > 0) metrics.eventsDelivered.inc(replayed.length);
    this.goLive(client, position);
  }

  /** The `snapshot` frames of `snapshots`, each read atomically with its position (in parallel). */
  private async snapshotFrames(snapshots: readonly Selector[]): Promise<string[]> {
    if (snapshots.length === 0) return [];
    const read = await Promise.all(snapshots.map((s) => this.bus.snapshot(s.topic, s.key === undefined ? undefined : [s.key])));
    return read.map((snap, i) => snapshotFrame({ selector: formatSelector(snapshots[i]), lastEventId: snap.lastEventId, items: snap.items }));
  }

  /** Starts delivering to `client` (into its pending buffer until {@link goLive}) and arms its lifetime. */
  add(client: SseClient): void {
    this.clients.set(client.id, client);
    this.perIdentity.set(client.identity, this.countFor(client.identity) + 1);
    this.metrics.sseClients.inc();
    // One timer for both ends of a stream's life: whichever comes first, lifetime or token expiry.
    const untilExpiry = client.expiresAt === null ? Infinity : Math.max(0, client.expiresAt - Date.now());
    const reason = untilExpiry < this.config.MAX_LIFETIME_MS ? 'token-expired' : 'lifetime';
    client.armLifetime(Math.min(untilExpiry, this.config.MAX_LIFETIME_MS), () => this.end(client, { reason }));
  }

  /** Forgets `client`; safe to call more than once. */
  remove(client: SseClient): void {
    if (!client.close()) return;
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
    const batches = client.endReplay();
    if (client.closed || !batches) return;
    const floor = client.trimmedWhilePending;
    if (floor !== null && (position === null || compareIds(position, floor) < 0)) {
      // The live feed skipped events this stream's replay did not reach: the client re-reads its
      // snapshots and the stream continues after the gap.
      this.sendReset(client, floor, 'expired');
      position = floor;
    }
    client.skipUpTo(position);
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
      // More live events piled up behind its replay than the log even keeps: it resumes by id.
      if (client.buffer(events) > this.config.HISTORY_SIZE) this.evict(client);
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
    if (i < events.length) client.skipDone();
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
        client.noteTrimmed(floor);
        continue;
      }
      if (client.skipThrough !== null && compareIds(client.skipThrough, floor) >= 0) continue;
      client.skipDone();
      this.sendReset(client, floor, 'expired');
    }
  }

  /** The log was replaced: every position a client holds is void. */
  private async resetAll(): Promise<void> {
    for (const client of this.clients.values()) {
      // Ids of the new log say nothing about positions in the old one.
      client.noteEpochChange();
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

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  // Small frames must leave at once, not wait for Nagle.
  res.socket?.setNoDelay(true);
}
