import { parseSelector } from './wire-rules.js';
import type { HubMessage } from './hub-protocol.js';
import { IDLE_STATUS, closedWith, type ConnectionStatus, type LiveError } from './status.js';
import type { SyncBatch, SyncPhase } from './topic-sync.js';
import type { HubLink, LinkOptions } from './links/link.js';
import { openLink } from './links/open-link.js';
import type { TokenOption, Tokens } from './token.js';

/** The page's token holder and the identity function that goes with it. */
interface TokenHolder {
  keeper: Tokens;
  identityOf(token: string | null): string;
}

/** A page without a token: it never loads the token code (JWT claims, refresh, identity hash). */
const none = () => Promise.resolve(null);
const NO_TOKEN: Tokens = { value: null, renewable: false, refreshAt: null, get: none, refresh: none };

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

/** This page's copy of one selection, kept by the hub's `sync` messages. */
interface SyncEntry {
  items: Map<string, unknown>;
  phase: SyncPhase;
  error: LiveError | null;
  /** The page was away (back/forward cache): its next full state counts as a reset. */
  resync: boolean;
  listeners: Set<SubscriptionListener>;
}

/**
 * A page's connection to one relay: every element of the page subscribes through it, and it
 * shares one stream with the other tabs through the connection manager (a SharedWorker, a leader
 * tab, or this page alone). That manager holds each selection's state (snapshot, then events);
 * the page holds a copy, kept by the changes it is sent, however many elements show it.
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
  private closed = false;
  /** True while the first token is being fetched (the link opens once its identity is known). */
  private opening = false;
  /** The token holder, and `identityOf` the token; loaded with the token code when a token is set. */
  private readonly tokens: Promise<TokenHolder>;
  /** The same, once it is in (at once without a token): the link then opens without waiting. */
  private holder: TokenHolder | null = null;

  constructor(readonly options: ConnectionOptions) {
    const source = options.token ?? null;
    this.tokens = source
      ? import('./token.js').then((m) => (this.holder = { keeper: new m.TokenKeeper(source), identityOf: m.identityOf }))
      : Promise.resolve((this.holder = { keeper: NO_TOKEN, identityOf: () => '' }));
  }

  /**
   * The subscriber token to send with requests of your own to the relay (the chart's series): the
   * current one, or a fresh one from the token function when it nears its `exp`.
   */
  async token(): Promise<string | null> {
    return (await this.tokens).keeper.get();
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
      parseSelector(selector);
      entry = { items: new Map(), phase: 'loading', error: null, resync: false, listeners: new Set() };
      this.syncs.set(selector, entry);
      if (this.link) this.link.subscribe([selector]);
      else this.openLinkOnce();
      const { status, error } = this.statusValue;
      if (status === 'closed' && error) this.fail(entry, error);
    }
    const own = entry;
    own.listeners.add(listener);
    let released = false;
    return {
      selector,
      get items() {
        return own.items;
      },
      get phase() {
        return own.phase;
      },
      get error() {
        return own.error;
      },
      release: () => {
        if (released) return;
        released = true;
        own.listeners.delete(listener);
        if (own.listeners.size === 0 && this.syncs.get(selector) === own) {
          this.syncs.delete(selector);
          this.link?.unsubscribe([selector]);
        }
      },
    };
  }

  /** Releases every subscription and the link to the stream. */
  close(): void {
    this.closed = true;
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
    const open = ({ keeper, identityOf }: TokenHolder) => {
      // The relay, worker and heartbeat as given (the token option rides along unread: the links take `tokens`).
      this.link = openLink({ ...this.options, tokens: keeper, identity: identityOf(keeper.value) }, (m) => this.receive(m));
      if (this.syncs.size > 0) this.link.subscribe([...this.syncs.keys()]);
    };
    const held = this.holder;
    if (held && (!held.keeper.renewable || held.keeper.value !== null)) return open(held);
    this.opening = true;
    this.tokens
      .then(async (t) => {
        if (t.keeper.renewable && t.keeper.value === null) await t.keeper.get();
        return t;
      })
      .then(
        (t) => {
          this.opening = false;
          if (!this.closed) open(t);
        },
        (err: Error) => {
          this.opening = false;
          // A later subscription asks again.
          this.receive({ t: 'status', status: closedWith({ code: 'token_failed', message: err.message }) });
        },
      );
  }

  /** One message from the stream's owner. */
  private receive(message: HubMessage): void {
    switch (message.t) {
      case 'sync': {
        const entry = this.syncs.get(message.selector);
        if (entry) this.take(entry, message);
        return;
      }
      case 'status':
        this.statusValue = message.status;
        if (message.status.status === 'closed' && message.status.error) {
          for (const entry of this.syncs.values()) if (entry.phase === 'loading') this.fail(entry, message.status.error);
        }
        for (const l of this.statusListeners) l(message.status);
        return;
      case 'resync':
        for (const entry of this.syncs.values()) entry.resync = true;
      // `token` and `ping` are the worker link's own business.
    }
  }

  /** Applies one batch to the page's copy and tells the elements showing it. */
  private take(entry: SyncEntry, m: Extract<HubMessage, { t: 'sync' }>): void {
    const { items } = entry;
    const changed = new Set<string>();
    let reset = m.reset;
    if (m.full) {
      // A replaced state: keys that are gone, or whose value differs, changed. After the back/
      // forward cache the page may have missed events: that counts as a reset.
      const old = new Map(items);
      items.clear();
      for (const [k, v] of m.set) items.set(k, v);
      for (const [k, v] of old) if (!items.has(k) || JSON.stringify(items.get(k)) !== JSON.stringify(v)) changed.add(k);
      for (const k of items.keys()) if (!old.has(k)) changed.add(k);
      reset ||= entry.resync;
      entry.resync = false;
    } else {
      for (const [k, v] of m.set) {
        items.set(k, v);
        changed.add(k);
      }
      for (const k of m.del) {
        items.delete(k);
        changed.add(k);
      }
    }
    this.tell(entry, m.phase, m.error, { events: m.events, changedKeys: changed, reset, snapshot: m.full });
  }

  /** The stream was refused for good before this selection loaded: it shows why. */
  private fail(entry: SyncEntry, error: LiveError): void {
    this.tell(entry, 'error', error, { events: [], changedKeys: new Set(), reset: false, snapshot: false });
  }

  /** Sets the selection's phase and error and tells the elements showing it. */
  private tell(entry: SyncEntry, phase: SyncPhase, error: LiveError | null, batch: SyncBatch): void {
    entry.phase = phase;
    entry.error = error;
    for (const listener of [...entry.listeners]) listener(batch);
  }
}
