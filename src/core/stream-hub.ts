import { parseSelector, selectorMatches, type Selector } from './wire.js';
import { SseStream } from './sse-stream.js';
import type { BackoffOptions } from './backoff.js';
import type { HubClient, HubMessage } from './hub-protocol.js';
import { IDLE_STATUS, type ConnectionStatus, type LiveError } from './status.js';
import { tokensOf, type TokenOption, type Tokens } from './token.js';
import { TopicSync } from './topic-sync.js';

/**
 * Most snapshots one stream request asks for: the relay's default MAX_SELECTORS, which bounds
 * `snapshot=` (many keys under one whole topic make one selector of `topics=` but a snapshot each).
 */
const MAX_SNAPSHOTS = 100;

/** Where the hub streams from. */
export interface StreamHubOptions {
  relay: string;
  /** A JWT, a function returning fresh ones, or the keeper the page already holds. */
  token?: TokenOption | Tokens;
  heartbeatMs?: number;
  /**
   * The stream position the clients' copies stand at (a new leader tab passes the last one its
   * tabs saw): the stream resumes from it, and the events between it and each snapshot are
   * reported with the snapshot, so nobody misses one.
   */
  lastEventId?: string | null;
  backoff?: Partial<BackoffOptions>;
  /** Subscription changes within this window share one reconnection (the first stream opens at once). Default 20 ms. */
  settleMs?: number;
}

/** A client's handle on the hub. */
export interface HubAttachment {
  subscribe(selectors: readonly string[]): void;
  unsubscribe(selectors: readonly string[]): void;
  /** Releases every subscription of this client. */
  detach(): void;
}

/** One selection the hub keeps, and the clients that show it. */
interface Held {
  sync: TopicSync;
  selector: Selector;
  clients: Set<HubClient>;
}

/**
 * Owns the one SSE stream for many clients (the pages of a SharedWorker, the tabs behind a leader,
 * or the elements of one page), and the state of every selection they show: each selection's
 * snapshot is read once for all of them, and each client gets `sync` messages with what changed.
 *
 * The stream carries the union of every client's selectors, and its request names the selections
 * that need a snapshot (new ones, and those a `reset` voided): the relay sends each one's snapshot
 * in the stream's first frames, read after the stream subscribed, so the snapshot plus the events
 * after its id is the complete history (see {@link TopicSync}) at no extra round trip. When the
 * union changes, or a selection needs a snapshot the connected stream did not bring, it reconnects
 * resuming after the last id it saw, so the other selections lose and double nothing.
 */
export class StreamHub {
  private readonly clients = new Map<HubClient, Set<string>>();
  private readonly held = new Map<string, Held>();
  private readonly dirty = new Set<Held>();
  private flushQueued = false;
  private readonly tokens: Tokens;
  private stream: SseStream | null = null;
  /** Selectors of the latest connection attempt. */
  private connecting: string[] = [];
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private lastStatus: ConnectionStatus = IDLE_STATUS;
  /** Selectors the relay refused (403), kept off the stream while somebody still asks for them. */
  private readonly denied = new Map<string, LiveError>();
  /** Where the clients' copies stand until the stream first connects (see `lastEventId`). */
  private from: string | null;

  constructor(private readonly options: StreamHubOptions) {
    this.tokens = tokensOf(options.token);
    this.from = options.lastEventId ?? null;
  }

  /** The stream's status (`closed` while nobody subscribes). */
  get status(): ConnectionStatus {
    return this.lastStatus;
  }

  /**
   * The whole state of a selection the hub holds, as a `full` sync message, or null while its
   * first snapshot is still on the way (its clients get that one when it comes).
   */
  stateOf(selector: string): SyncMessage | null {
    const h = this.held.get(selector);
    if (!h || h.sync.phase === 'loading') return null;
    return syncMessage(selector, { phase: h.sync.phase, error: h.sync.error, set: [...h.sync.items], at: h.sync.position });
  }

  /** Adds a client; it receives the current status at once. */
  attach(client: HubClient): HubAttachment {
    const mine = new Set<string>();
    this.clients.set(client, mine);
    client.deliver({ t: 'status', status: this.lastStatus });
    const current = () => this.clients.get(client) === mine;
    return {
      subscribe: (selectors) => {
        if (!current()) return;
        let unasked = false;
        for (const s of selectors) {
          if (mine.has(s)) continue;
          let h = this.held.get(s);
          if (!h) {
            let selector: Selector;
            try {
              selector = parseSelector(s);
            } catch (err) {
              client.deliver(syncMessage(s, { phase: 'error', error: { code: 'bad_selector', message: (err as Error).message } }));
              continue;
            }
            h = { sync: new TopicSync(s, () => this.markDirty(h!), this.from), selector, clients: new Set() };
            this.held.set(s, h);
            const refused = this.denied.get(s);
            if (refused) h.sync.onStreamError(refusal(s, refused), true);
            else if (this.lastStatus.status === 'closed' && this.lastStatus.error) h.sync.onStreamError(this.lastStatus.error);
          }
          mine.add(s);
          h.clients.add(client);
          const state = this.stateOf(s);
          if (state) client.deliver(state);
          if (this.unasked(h)) unasked = true;
        }
        if (unasked) this.settle();
      },
      unsubscribe: (selectors) => {
        if (!current()) return;
        let changed = false;
        for (const s of selectors) if (mine.delete(s)) changed = this.release(client, s) || changed;
        if (changed) this.settleOrStop();
      },
      detach: () => {
        if (!current()) return;
        this.clients.delete(client);
        let changed = false;
        for (const s of mine) changed = this.release(client, s) || changed;
        if (changed) this.settleOrStop();
      },
    };
  }

  /** Stops the stream and forgets every client. */
  close(): void {
    this.closed = true;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.stream?.close();
    this.stream = null;
    for (const h of this.held.values()) h.sync.dispose();
    this.held.clear();
    this.clients.clear();
  }

  /** `client` no longer shows `selector`; the last one to go drops the selection (true then). */
  private release(client: HubClient, selector: string): boolean {
    const h = this.held.get(selector);
    if (!h) return false;
    h.clients.delete(client);
    if (h.clients.size > 0) return false;
    h.sync.dispose();
    this.held.delete(selector);
    this.dirty.delete(h);
    // A refusal lasts while somebody asks for the selector: asked again later, it is tried again.
    this.denied.delete(selector);
    return true;
  }

  private markDirty(h: Held): void {
    this.dirty.add(h);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // One message per client and selection per microtask: a frame of 500 events is one batch.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const held = [...this.dirty];
    this.dirty.clear();
    for (const h of held) {
      const batch = h.sync.takeBatch();
      if (!batch || this.held.get(h.sync.selector) !== h) continue;
      const { items, phase, error } = h.sync;
      const set: Array<[string, unknown]> = [];
      const del: string[] = [];
      if (batch.snapshot) set.push(...items);
      else for (const k of batch.changedKeys) items.has(k) ? set.push([k, items.get(k)]) : del.push(k);
      const message = syncMessage(h.sync.selector, { phase, error, full: batch.snapshot, reset: batch.reset, set, del, events: batch.events, at: h.sync.position });
      for (const client of h.clients) client.deliver(message);
    }
  }

  /** The union of all held selectors but the refused ones, a topic-wide selector absorbing its keyed ones; sorted. */
  private wanted(): string[] {
    const all = [...this.held.keys()].filter((s) => !this.denied.has(s));
    const wholeTopics = all.filter((s) => !s.includes('/'));
    return all.filter((s) => wholeTopics.includes(s) || !covers(wholeTopics, s)).sort();
  }

  /** True when `h` needs a snapshot that no stream request asked for yet (it takes a new one). */
  private unasked(h: Held): boolean {
    return h.sync.needsSnapshot && !h.sync.asked && !this.denied.has(h.sync.selector);
  }

  /** True when the stream must reconnect: for another union of selectors, or for snapshots. */
  private outdated(): boolean {
    if (!sameList(this.wanted(), this.connecting)) return true;
    for (const h of this.held.values()) if (this.unasked(h)) return true;
    return false;
  }

  /**
   * Applies the subscriptions after `settleMs`, so that changes close together share one
   * reconnection; the first stream opens once the current task is done (a page subscribes what it
   * shows in one task, and its worker link sends them as one message), not `settleMs` later.
   */
  private settle(): void {
    if (this.settleTimer || this.closed) return;
    this.settleTimer = setTimeout(
      () => {
        this.settleTimer = null;
        this.apply();
      },
      this.stream ? (this.options.settleMs ?? 20) : 0,
    );
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
        // Idle: the next subscriber reads fresh snapshots, so the old position is of no use.
        this.stream.close();
        this.stream = null;
        this.connecting = [];
      }
      return;
    }
    if (!this.stream) {
      this.stream = this.openStream();
      this.stream.start();
      return;
    }
    if (this.outdated()) this.stream.restart();
  }

  private openStream(): SseStream {
    const stream: SseStream = new SseStream(
      {
        relay: this.options.relay,
        token: this.tokens,
        heartbeatMs: this.options.heartbeatMs,
        backoff: this.options.backoff,
        lastEventId: this.from,
        selectors: () => {
          this.connecting = this.wanted();
          return this.connecting;
        },
        // Called right after `selectors`: the held selections still without their snapshot, as
        // many as one request may ask for; the others are asked once this one has connected.
        snapshots: () => {
          const asked: string[] = [];
          for (const [s, h] of this.held) {
            h.sync.asked = asked.length < MAX_SNAPSHOTS && h.sync.needsSnapshot && !this.denied.has(s) && covers(this.connecting, s);
            if (h.sync.asked) asked.push(s);
          }
          return asked;
        },
      },
      {
        onConnected: () => {
          if (this.stream !== stream) return;
          // Selections added from now on start from their snapshots.
          this.from = null;
          // Subscriptions that changed while this attempt was in flight need one more round.
          if (this.outdated()) this.settle();
        },
        onSnapshot: (snapshot) => {
          if (this.stream !== stream) return;
          this.held.get(snapshot.selector)?.sync.onSnapshot(snapshot);
        },
        onEvents: (events) => {
          if (this.stream !== stream) return;
          for (const h of this.held.values()) {
            const mine = events.filter((e) => selectorMatches(h.selector, e.topic, e.key));
            if (mine.length > 0) h.sync.onEvents(mine);
          }
        },
        onReset: (event) => {
          if (this.stream !== stream) return;
          for (const h of this.held.values()) if (event.topics.includes(h.selector.topic)) h.sync.onReset();
          // Snapshots asked with this request follow the reset; the others take a new request.
          if (this.outdated()) this.settle();
        },
        onDenied: (selectors, error) => {
          if (this.stream !== stream) return;
          for (const s of selectors) {
            this.denied.set(s, error);
            this.held.get(s)?.sync.onStreamError(refusal(s, error), true);
          }
          // The stream reconnects without them at once; with nothing left it stops.
          if (this.wanted().length === 0) this.apply();
        },
        onStatus: (status) => {
          if (this.stream !== stream && status.status !== 'closed') return;
          this.lastStatus = status;
          // Refused for good (401/403/404): a selection still loading cannot load.
          if (status.status === 'closed' && status.error) for (const h of this.held.values()) h.sync.onStreamError(status.error);
          for (const client of this.clients.keys()) client.deliver({ t: 'status', status });
        },
      },
    );
    return stream;
  }
}

/** The error a selection the relay refused shows. */
function refusal(selector: string, error: LiveError): LiveError {
  return { code: error.code, message: `the relay refused "${selector}": ${error.message}` };
}

/** True when the stream selectors include `selector` itself or its whole topic (see wire's selectorMatches). */
export function covers(streamSelectors: readonly string[], selector: string): boolean {
  const { topic, key } = parseSelector(selector);
  return streamSelectors.some((s) => selectorMatches(parseSelector(s), topic, key));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

type SyncMessage = Extract<HubMessage, { t: 'sync' }>;

/** A `sync` message about `selector`: by default its whole state (`full`), empty, ready, at no position. */
function syncMessage(selector: string, fields: Partial<Omit<SyncMessage, 't' | 'selector'>>): SyncMessage {
  return { t: 'sync', selector, phase: 'ready', error: null, full: true, reset: false, set: [], del: [], events: [], at: null, ...fields };
}
