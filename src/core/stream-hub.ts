import { parseSelector, selectorMatches, type Envelope, type Selector } from './wire.js';
import { SseStream } from './sse-stream.js';
import type { BackoffOptions } from './backoff.js';
import type { HubClient } from './hub-protocol.js';
import { IDLE_STATUS, type ConnectionStatus, type LiveError } from './status.js';
import type { TokenKeeper, TokenOption } from './token.js';

/** Where the hub streams from. */
export interface StreamHubOptions {
  relay: string;
  /** A JWT, a function returning fresh ones, or the keeper the page already holds. */
  token?: TokenOption | TokenKeeper;
  heartbeatMs?: number;
  /** Resume after this id (a new leader tab passes the last id its followers saw). */
  lastEventId?: string | null;
  backoff?: Partial<BackoffOptions>;
  /** Subscription changes within this window share one reconnection. Default 20 ms. */
  settleMs?: number;
}

/** A client's handle on the hub. */
export interface HubAttachment {
  subscribe(selectors: readonly string[]): void;
  unsubscribe(selectors: readonly string[]): void;
  /** Releases every subscription of this client. */
  detach(): void;
}

interface ClientEntry {
  selectors: Map<string, Selector>;
}

/**
 * Owns the one SSE stream for many clients (the pages of a SharedWorker, the tabs behind a leader,
 * or the elements of one page) and fans its events out by selector.
 *
 * The stream carries the union of every client's selectors. When that union changes it reconnects
 * resuming after the last id it saw, so the other clients lose and double nothing. A client learns
 * that a new selector is `covered` only once a stream that includes it is connected: a snapshot read
 * after that moment plus the events after the snapshot's id is the complete history.
 */
export class StreamHub {
  private readonly clients = new Map<HubClient, ClientEntry>();
  private stream: SseStream | null = null;
  /** Selectors of the latest connection attempt, and of the latest one that connected. */
  private connecting: string[] = [];
  private live: string[] | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private resumeFrom: string | null;
  private closed = false;
  private lastStatus: ConnectionStatus = IDLE_STATUS;
  /** Selectors the relay refused (403), kept off the stream while somebody still asks for them. */
  private readonly denied = new Map<string, LiveError>();

  constructor(private readonly options: StreamHubOptions) {
    this.resumeFrom = options.lastEventId ?? null;
  }

  /** The stream's position (the id of the last frame that carried one). */
  get lastEventId(): string | null {
    return this.stream?.lastEventId ?? this.resumeFrom;
  }

  /** The stream's status (`closed` while nobody subscribes). */
  get status(): ConnectionStatus {
    return this.lastStatus;
  }

  /** How many clients are attached. */
  get size(): number {
    return this.clients.size;
  }

  /** True when `selector` rides on the connected stream (a snapshot read now misses nothing). */
  isCovered(selector: string): boolean {
    return this.live !== null && this.live === this.connecting && covers(this.live, selector);
  }

  /** Adds a client; it receives the current status at once. */
  attach(client: HubClient): HubAttachment {
    const entry: ClientEntry = { selectors: new Map() };
    this.clients.set(client, entry);
    client.deliver({ t: 'status', status: this.lastStatus });
    return {
      subscribe: (selectors) => {
        if (this.clients.get(client) !== entry) return;
        const added: string[] = [];
        for (const s of selectors) {
          if (entry.selectors.has(s)) continue;
          entry.selectors.set(s, parseSelector(s));
          const refused = this.denied.get(s);
          if (refused) client.deliver({ t: 'denied', selectors: [s], error: refused });
          else added.push(s);
        }
        if (added.length === 0) return;
        const now = added.filter((s) => this.isCovered(s));
        if (now.length > 0) client.deliver({ t: 'covered', selectors: now, lastEventId: this.lastEventId });
        if (now.length < added.length) this.settle();
      },
      unsubscribe: (selectors) => {
        if (this.clients.get(client) !== entry) return;
        let changed = false;
        for (const s of selectors) changed = entry.selectors.delete(s) || changed;
        if (changed) this.forgetDenied();
        if (changed) this.settleOrStop();
      },
      detach: () => {
        if (this.clients.get(client) !== entry) return;
        this.clients.delete(client);
        this.forgetDenied();
        if (entry.selectors.size > 0) this.settleOrStop();
      },
    };
  }

  /** Stops the stream and forgets every client. */
  close(): void {
    this.closed = true;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.stream?.close();
    this.stream = null;
    this.clients.clear();
  }

  /** A refusal lasts while somebody asks for the selector: asked again later, it is tried again. */
  private forgetDenied(): void {
    for (const s of this.denied.keys()) {
      if (![...this.clients.values()].some((e) => e.selectors.has(s))) this.denied.delete(s);
    }
  }

  /** The union of all selectors but the refused ones, a topic-wide selector absorbing its keyed ones; sorted. */
  private wanted(): string[] {
    const all = new Set<string>();
    for (const entry of this.clients.values()) for (const s of entry.selectors.keys()) if (!this.denied.has(s)) all.add(s);
    return [...all].filter((s) => !s.includes('/') || !all.has(s.slice(0, s.indexOf('/')))).sort();
  }

  private settle(): void {
    if (this.settleTimer || this.closed) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.apply();
    }, this.options.settleMs ?? 20);
  }

  /**
   * Like {@link settle}, but when nobody needs the stream any more it stops now: the last page
   * leaving may be the last moment this worker runs (a worker whose pages are all gone or in the
   * back/forward cache is frozen, timers and all), and its stream must not outlive it.
   */
  private settleOrStop(): void {
    if (this.wanted().length > 0) return this.settle();
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.apply();
  }

  private apply(): void {
    const wanted = this.wanted();
    if (wanted.length === 0) {
      if (this.stream) {
        // Idle: the next subscriber reads fresh snapshots, so an old position is of no use.
        this.resumeFrom = null;
        this.stream.close();
        this.stream = null;
        this.live = null;
        this.connecting = [];
      }
      return;
    }
    if (!this.stream) {
      this.stream = this.openStream();
      this.stream.start();
      return;
    }
    if (!sameList(wanted, this.connecting)) this.stream.restart();
  }

  private openStream(): SseStream {
    const stream: SseStream = new SseStream(
      {
        relay: this.options.relay,
        token: this.options.token,
        heartbeatMs: this.options.heartbeatMs,
        backoff: this.options.backoff,
        lastEventId: this.resumeFrom,
        selectors: () => {
          this.connecting = this.wanted();
          return this.connecting;
        },
      },
      {
        onConnected: () => {
          if (this.stream !== stream) return;
          this.live = this.connecting;
          for (const [client, entry] of this.clients) {
            const covered = [...entry.selectors.keys()].filter((s) => covers(this.live!, s));
            if (covered.length > 0) client.deliver({ t: 'covered', selectors: covered, lastEventId: stream.lastEventId });
          }
          // Subscriptions that changed while this attempt was in flight need one more round.
          if (!sameList(this.wanted(), this.connecting)) this.settle();
        },
        onEvents: (events) => {
          if (this.stream !== stream) return;
          this.fanOut(events);
        },
        onReset: (event) => {
          if (this.stream !== stream) return;
          for (const [client, entry] of this.clients) {
            const topics = event.topics.filter((t) => [...entry.selectors.values()].some((s) => s.topic === t));
            if (topics.length > 0) client.deliver({ t: 'reset', topics, lastEventId: event.lastEventId });
          }
        },
        onDenied: (selectors, error) => {
          if (this.stream !== stream) return;
          for (const s of selectors) this.denied.set(s, error);
          for (const [client, entry] of this.clients) {
            const mine = selectors.filter((s) => entry.selectors.has(s));
            if (mine.length > 0) client.deliver({ t: 'denied', selectors: mine, error });
          }
          // The stream reconnects without them at once; with nothing left it stops.
          if (this.wanted().length === 0) this.apply();
        },
        onStatus: (status) => {
          if (this.stream !== stream && status.status !== 'closed') return;
          this.lastStatus = status;
          for (const client of this.clients.keys()) client.deliver({ t: 'status', status });
        },
      },
    );
    return stream;
  }

  private fanOut(events: Envelope[]): void {
    for (const [client, entry] of this.clients) {
      const sels = [...entry.selectors.values()];
      const mine = events.filter((e) => sels.some((s) => selectorMatches(s, e.topic, e.key)));
      if (mine.length > 0) client.deliver({ t: 'events', events: mine });
    }
  }
}

/** True when the stream selectors include `selector` itself or its whole topic. */
export function covers(streamSelectors: readonly string[], selector: string): boolean {
  if (streamSelectors.includes(selector)) return true;
  const slash = selector.indexOf('/');
  return slash > 0 && streamSelectors.includes(selector.slice(0, slash));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
