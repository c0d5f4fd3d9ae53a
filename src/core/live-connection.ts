import type { Envelope } from './wire.js';
import type { HubMessage } from './hub-protocol.js';
import { IDLE_STATUS, type ConnectionStatus, type LiveError } from './status.js';
import { TopicSync, type SyncBatch, type SyncPhase } from './topic-sync.js';
import type { HubLink, LinkOptions } from './links/link.js';
import { openLink } from './links/open-link.js';
import { identityOf, TokenKeeper, type TokenOption } from './token.js';

/** Where a page's connection goes. */
export interface ConnectionOptions extends Pick<LinkOptions, 'relay' | 'worker' | 'heartbeatMs'> {
  /**
   * Subscriber token for private topics: a JWT, or a function returning fresh ones (called before
   * the stream opens, shortly before each token's `exp`, after a 401 and after `token-expired`).
   */
  token?: TokenOption;
}

/** Told once per batch (per microtask), never once per event. */
export interface SubscriptionListener {
  (batch: SyncBatch): void;
}

/** One element's view of a selector; release it when the element goes away. */
export interface LiveSubscription {
  /** `topic` or `topic/key`. */
  readonly selector: string;
  /** The selection's state, key → value. */
  readonly items: ReadonlyMap<string, unknown>;
  readonly phase: SyncPhase;
  readonly error: LiveError | null;
  /** Stops the updates; the last release of a selector in this page unsubscribes it from the stream. */
  release(): void;
}

interface SyncEntry {
  sync: TopicSync;
  listeners: Set<SubscriptionListener>;
}

/**
 * A page's connection to one relay: every element of the page subscribes through it, and it
 * shares one stream with the other tabs through the connection manager (a SharedWorker, a leader
 * tab, or this page alone). Each selector is synced once per page however many elements show it.
 */
export class LiveConnection {
  /** How the page reaches the stream: 'worker', 'leader' (Web Locks + BroadcastChannel) or 'page'. */
  get mode(): HubLink['mode'] | null {
    return this.link?.mode ?? null;
  }
  /** True while this tab is the elected leader that runs the stream for the others ('leader' mode). */
  get leading(): boolean {
    return this.link?.leading ?? false;
  }
  private link: HubLink | null = null;
  private readonly syncs = new Map<string, SyncEntry>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private statusValue: ConnectionStatus = IDLE_STATUS;
  private readonly dirty = new Set<TopicSync>();
  private flushQueued = false;
  private closed = false;
  /** True while the first token is being fetched (the link opens once its identity is known). */
  private opening = false;
  private readonly tokens: TokenKeeper;

  constructor(readonly options: ConnectionOptions) {
    this.tokens = new TokenKeeper(options.token ?? null);
  }

  /**
   * The subscriber token to send with requests of your own to the relay (the chart's series): the
   * current one, or a fresh one from the token function when it nears its `exp`.
   */
  token(): Promise<string | null> {
    return this.tokens.get();
  }

  /** The relay's base URL. */
  get relay(): string {
    return this.options.relay;
  }

  /** The shared stream's status as this page last heard it. */
  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** Calls `listener` on every status change; returns the function that stops it. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Subscribes to `selector` (`topic` or `topic/key`). The listener is called once per batch
   * after the state changed: the snapshot arrived, events were applied, a reset re-read it.
   * Throws a TypeError naming the bad part when the selector is not valid.
   */
  subscribe(selector: string, listener: SubscriptionListener): LiveSubscription {
    if (this.closed) throw new Error('this LiveConnection is closed; get a new one with getConnection()');
    let entry = this.syncs.get(selector);
    if (!entry) {
      entry = { sync: new TopicSync(selector, this.options.relay, this.tokens, (s) => this.markDirty(s)), listeners: new Set() };
      this.syncs.set(selector, entry);
      if (this.link) this.link.subscribe([selector]);
      else this.openLinkOnce();
      if (this.statusValue.status === 'closed' && this.statusValue.error) entry.sync.onStreamError(this.statusValue.error);
    }
    const own = entry;
    own.listeners.add(listener);
    let released = false;
    return {
      selector,
      get items() {
        return own.sync.items;
      },
      get phase() {
        return own.sync.phase;
      },
      get error() {
        return own.sync.error;
      },
      release: () => {
        if (released) return;
        released = true;
        own.listeners.delete(listener);
        if (own.listeners.size === 0 && this.syncs.get(selector) === own) {
          this.syncs.delete(selector);
          own.sync.dispose();
          this.link?.unsubscribe([selector]);
        }
      },
    };
  }

  /** Releases every subscription and the link to the stream. */
  close(): void {
    this.closed = true;
    for (const { sync } of this.syncs.values()) sync.dispose();
    this.syncs.clear();
    this.link?.close();
    this.link = null;
  }

  /**
   * Opens the link with every selector asked for so far. The link's name holds the reader's
   * identity, so a token function is asked first; when it fails, every selection shows why.
   */
  private openLinkOnce(): void {
    if (this.link || this.opening || this.closed) return;
    const open = () => {
      const { relay, worker, heartbeatMs } = this.options;
      this.link = openLink({ relay, worker, heartbeatMs, tokens: this.tokens, identity: identityOf(this.tokens.value) }, (m) => this.receive(m));
      if (this.syncs.size > 0) this.link.subscribe([...this.syncs.keys()]);
    };
    if (!this.tokens.renewable || this.tokens.value !== null) return open();
    this.opening = true;
    this.tokens.get().then(
      () => {
        this.opening = false;
        if (!this.closed) open();
      },
      (err: Error) => {
        this.opening = false;
        // A later subscription asks again.
        this.receive({ t: 'status', status: { status: 'closed', lastEventAt: null, attempts: 0, error: { code: 'token_failed', message: err.message } } });
      },
    );
  }

  /** One message from the stream's owner. */
  private receive(message: HubMessage): void {
    switch (message.t) {
      case 'events':
        this.route(message.events);
        return;
      case 'covered':
        for (const s of message.selectors) this.syncs.get(s)?.sync.onCovered();
        return;
      case 'reset':
        for (const { sync } of this.syncs.values()) if (message.topics.includes(sync.selector.topic)) sync.onReset();
        return;
      case 'status':
        this.statusValue = message.status;
        if (message.status.status === 'closed' && message.status.error) {
          for (const { sync } of this.syncs.values()) sync.onStreamError(message.status.error);
        }
        for (const l of this.statusListeners) l(message.status);
        return;
      case 'resync':
        for (const { sync } of this.syncs.values()) sync.onResync();
        return;
      case 'denied':
        for (const s of message.selectors) {
          this.syncs.get(s)?.sync.onStreamError({ code: message.error.code, message: `the relay refused "${s}": ${message.error.message}` }, true);
        }
        return;
      case 'token':
      case 'ping':
        return;
    }
  }

  private route(events: readonly Envelope[]): void {
    for (const { sync } of this.syncs.values()) {
      const sel = sync.selector;
      const mine = events.filter((e) => e.topic === sel.topic && (sel.key === undefined || e.key === sel.key));
      if (mine.length > 0) sync.onEvents(mine);
    }
  }

  private markDirty(sync: TopicSync): void {
    this.dirty.add(sync);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // One notification per subscriber per microtask: a frame of 500 events is one render.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const syncs = [...this.dirty];
    this.dirty.clear();
    for (const sync of syncs) {
      const batch = sync.takeBatch();
      const entry = this.syncs.get(sync.key);
      if (!batch || !entry || entry.sync !== sync) continue;
      for (const listener of [...entry.listeners]) listener(batch);
    }
  }
}
