import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SSE_EVENT, type ConnectedEvent, type Envelope, type ResetEvent, type SnapshotEvent, type TimeoutEvent } from './wire.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { ConnectionState, ConnectionStatus, LiveError } from './status.js';
import { relayError, relayHeaders } from './relay-request.js';
import { relayBase } from './relay-url.js';
import { tokensOf, type TokenOption, type Tokens } from './token.js';

/** What an {@link SseStream} needs to know. */
export interface SseStreamOptions {
  /** The relay's base URL, e.g. `https://relay.example.com`. */
  relay: string;
  /**
   * Bearer token sent as `Authorization` (omit for public topics): a JWT, or a function that
   * returns fresh ones (called before each connection when the last one nears its `exp`, after a
   * 401 and after `token-expired`).
   */
  token?: TokenOption | Tokens;
  /** The selectors to stream, read at every (re)connection. */
  selectors: () => readonly string[];
  /**
   * The selections whose snapshots the relay should send in the stream's first frames
   * (`snapshot=`; each one among `selectors` or under a whole topic there), read at every
   * (re)connection right after `selectors`. Omitted: none.
   */
  snapshots?: () => readonly string[];
  /** Resume after this id (null: start at the log's head). Updated by every frame that carries an id. */
  lastEventId?: string | null;
  /** The relay's heartbeat interval; silence longer than 2.5 of them means the connection is dead. Default 15000. */
  heartbeatMs?: number;
  backoff?: Partial<BackoffOptions>;
}

/** What the stream reports, in the order the relay sent it. */
export interface SseStreamHandlers {
  onConnected(event: ConnectedEvent): void;
  /** The change events of one network chunk, in id order (one call per chunk, not per event). */
  onEvents(events: Envelope[]): void;
  onReset(event: ResetEvent): void;
  /** A selection's snapshot, one per selection the request named in `snapshot=`, before its events. */
  onSnapshot?(event: SnapshotEvent): void;
  onStatus(status: ConnectionStatus): void;
  /**
   * The relay refused these selectors (403 naming them) and streams nothing for them: they must
   * leave {@link SseStreamOptions.selectors}, as the stream reconnects at once without them.
   * Without this handler a 403 stops the stream.
   */
  onDenied?(selectors: string[], error: LiveError): void;
}

/** Status codes that no retry can fix: the stream stops and reports an error. */
const FATAL_STATUS = new Set([401, 403, 404]);

type Outcome = { kind: 'retry'; error: LiveError | null; soon?: boolean } | { kind: 'fatal'; error: LiveError } | { kind: 'restart' } | { kind: 'closed' };

/**
 * One SSE connection to the relay over `fetch` + eventsource-parser (so it can send
 * `Authorization` and `Last-Event-ID`, which a plain EventSource cannot). It reconnects by itself
 * with capped exponential backoff and full jitter, resumes after the last id it saw, treats a
 * silent connection as dead, waits for `online` while the browser is offline, and stops for good
 * on 401/403/404 or {@link close}.
 */
export class SseStream {
  /** The resume position: the id of the last frame that carried one. */
  lastEventId: string | null;
  private readonly backoff: BackoffOptions;
  private readonly heartbeatMs: number;
  private state: ConnectionStatus = { status: 'connecting', lastEventAt: null, attempts: 0, error: null };
  private abort: AbortController | null = null;
  private abortReason: 'restart' | 'close' | 'silent' | 'offline' | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private running = false;
  private failures = 0;
  private retryMs: number | null = null;
  private readonly tokens: Tokens;
  /** A 401 came since the stream was last open: the next one is final. */
  private refused = false;
  private renewal: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: SseStreamOptions,
    private readonly handlers: SseStreamHandlers,
  ) {
    this.lastEventId = options.lastEventId ?? null;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.tokens = tokensOf(options.token);
  }

  /** The current status. */
  get status(): ConnectionStatus {
    return this.state;
  }

  /** Connects (once); later calls do nothing while it runs. */
  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    globalThis.addEventListener?.('offline', this.onOffline);
    void this.loop();
  }

  /**
   * Reconnects at once with the current selectors, resuming after {@link lastEventId}: the other
   * subscriptions lose and double nothing. Also retries a stream stopped by a fatal answer.
   */
  restart(): void {
    if (this.closed) return;
    if (!this.running) return this.start();
    if (this.abort) {
      this.abortReason = 'restart';
      this.abort.abort();
    }
    this.wake?.();
  }

  /** Stops for good: no request, no timer, status `closed`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.renewal);
    globalThis.removeEventListener?.('offline', this.onOffline);
    if (this.abort) {
      this.abortReason = 'close';
      this.abort.abort();
    }
    this.wake?.();
    this.setStatus({ status: 'closed' });
  }

  private readonly onOffline = (): void => {
    if (this.abort) {
      this.abortReason = 'offline';
      this.abort.abort();
    }
  };

  private setStatus(patch: Partial<ConnectionStatus>): void {
    const next = { ...this.state, ...patch };
    const s = this.state;
    if (next.status === s.status && next.attempts === s.attempts && next.error === s.error && next.lastEventAt === s.lastEventAt) return;
    this.state = next;
    this.handlers.onStatus(next);
  }

  private async loop(): Promise<void> {
    let status: ConnectionState = 'connecting';
    while (!this.closed) {
      if (globalThis.navigator?.onLine === false) {
        this.setStatus({ status: 'offline' });
        await this.sleepUntil((wake) => {
          const onOnline = () => wake();
          globalThis.addEventListener('online', onOnline, { once: true });
          return () => globalThis.removeEventListener('online', onOnline);
        });
        if (this.closed) return;
        status = 'reconnecting';
      }
      if (this.state.status !== 'open' || status !== 'connecting') this.setStatus({ status });
      const openedAt = { at: 0 };
      const outcome = await this.connectOnce(openedAt);
      if (outcome.kind === 'closed') return;
      if (outcome.kind === 'restart') {
        status = 'connecting';
        continue;
      }
      if (outcome.kind === 'fatal') {
        this.setStatus({ status: 'closed', error: outcome.error });
        // Only restart() (a new subscription set) or close() can end this wait.
        await this.sleepUntil(() => () => {});
        if (this.closed) return;
        this.failures = 0;
        this.refused = false;
        this.setStatus({ error: null, attempts: 0 });
        status = 'connecting';
        continue;
      }
      if (openedAt.at > 0 && Date.now() - openedAt.at >= this.backoff.healthyMs) this.failures = 0;
      this.failures++;
      this.setStatus({ status: 'reconnecting', attempts: this.state.attempts + 1, error: outcome.error ?? this.state.error });
      status = 'reconnecting';
      const delay = outcome.soon ? Math.floor(Math.random() * 250) : backoffDelay(this.failures, this.retryMs ?? this.backoff.baseMs, this.backoff.capMs);
      await this.sleepUntil((wake) => {
        const t = setTimeout(wake, delay);
        return () => clearTimeout(t);
      });
    }
  }

  /** Waits until `arm`'s wake-up, restart() or close(). */
  private sleepUntil(arm: (wake: () => void) => () => void): Promise<void> {
    return new Promise((resolve) => {
      const disarm = arm(() => done());
      const done = () => {
        disarm();
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  private url(selectors: readonly string[], snapshots: readonly string[]): string {
    const list = (s: readonly string[]) => s.map(encodeURIComponent).join(',');
    return `${relayBase(this.options.relay)}/v1/events?topics=${list(selectors)}${snapshots.length > 0 ? `&snapshot=${list(snapshots)}` : ''}`;
  }

  /**
   * Replaces the token shortly before its `exp` (see {@link TokenKeeper}) and reconnects with the
   * new one, resuming by id; a token too close to its end is left to the relay's `token-expired`.
   */
  private armRenewal(): void {
    clearTimeout(this.renewal);
    const at = this.tokens.refreshAt;
    const delay = at === null ? 0 : at - Date.now();
    if (delay < 1000 || delay > 0x7fffffff) return;
    this.renewal = setTimeout(() => {
      const before = this.tokens.value;
      this.tokens.refresh().then(
        () => {
          if (this.tokens.value !== before) this.restart();
        },
        // The stream carries on; the relay ends it at `exp` and the refresh after that reports the failure.
        () => {},
      );
    }, delay);
  }

  /** Reported by the token function's failure: no retry can fix it. */
  private static tokenFailed(err: unknown): Outcome {
    return { kind: 'fatal', error: { code: 'token_failed', message: (err as Error).message } };
  }

  private async connectOnce(openedAt: { at: number }): Promise<Outcome> {
    const abort = new AbortController();
    this.abort = abort;
    this.abortReason = null;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feedWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        this.abortReason = 'silent';
        abort.abort();
      }, this.heartbeatMs * 2.5);
    };
    let timeout: TimeoutEvent | null = null;
    try {
      let token: string | null;
      try {
        token = await this.tokens.get();
      } catch (err) {
        return SseStream.tokenFailed(err);
      }
      const headers = relayHeaders('text/event-stream', token);
      if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
      feedWatchdog();
      const asked = this.options.selectors();
      const res = await fetch(this.url(asked, this.options.snapshots?.() ?? []), { headers, signal: abort.signal, cache: 'no-store', credentials: 'omit' });
      if (!res.ok || !res.body) {
        const { error, selectors } = await relayError(res, this.tokens.renewable && this.refused);
        if (res.status === 401 && this.tokens.renewable && !this.refused) {
          // Perhaps only this token is stale: one more try with a fresh one, after the usual backoff.
          this.refused = true;
          try {
            await this.tokens.refresh();
          } catch (err) {
            return SseStream.tokenFailed(err);
          }
          return { kind: 'retry', error };
        }
        const denied = res.status === 403 ? (selectors ?? []).filter((s) => asked.includes(s)) : [];
        if (denied.length > 0 && this.handlers.onDenied) {
          // The others may stream: the handler drops the denied ones before the next request.
          this.handlers.onDenied(denied, error);
          return { kind: 'restart' };
        }
        if (FATAL_STATUS.has(res.status)) return { kind: 'fatal', error };
        return { kind: 'retry', error };
      }
      const pending: Envelope[] = [];
      const flush = () => {
        if (pending.length === 0) return;
        this.handlers.onEvents(pending.splice(0, pending.length));
      };
      const parser = createParser({
        onRetry: (ms) => {
          this.retryMs = ms;
        },
        onEvent: (msg: EventSourceMessage) => {
          if (msg.id) this.lastEventId = msg.id;
          if (msg.event === SSE_EVENT.change) {
            pending.push(JSON.parse(msg.data) as Envelope);
            return;
          }
          flush();
          if (msg.event === SSE_EVENT.connected) {
            openedAt.at = Date.now();
            this.refused = false;
            this.armRenewal();
            this.setStatus({ status: 'open', attempts: 0, error: null });
            this.handlers.onConnected(JSON.parse(msg.data) as ConnectedEvent);
          } else if (msg.event === SSE_EVENT.snapshot) {
            this.handlers.onSnapshot?.(JSON.parse(msg.data) as SnapshotEvent);
          } else if (msg.event === SSE_EVENT.reset) {
            this.handlers.onReset(JSON.parse(msg.data) as ResetEvent);
          } else if (msg.event === SSE_EVENT.timeout) {
            timeout = JSON.parse(msg.data) as TimeoutEvent;
          }
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feedWatchdog();
        parser.feed(value);
        if (pending.length > 0) this.setStatus({ lastEventAt: Date.now() });
        flush();
      }
      const t = timeout as TimeoutEvent | null;
      if (t?.reason === 'token-expired' && this.tokens.renewable) {
        try {
          await this.tokens.refresh();
        } catch (err) {
          return SseStream.tokenFailed(err);
        }
        return { kind: 'retry', soon: true, error: null };
      }
      return {
        kind: 'retry',
        soon: t?.reason === 'lifetime',
        error: t ? null : { code: 'stream_ended', message: 'the relay ended the stream; reconnecting' },
      };
    } catch (err) {
      const reason = this.abortReason;
      if (reason === 'close' || this.closed) return { kind: 'closed' };
      if (reason === 'restart') return { kind: 'restart' };
      if (reason === 'silent') {
        return { kind: 'retry', error: { code: 'stream_silent', message: `no data from the relay for ${Math.round((this.heartbeatMs * 2.5) / 1000)} s (2.5 heartbeats); reconnecting` } };
      }
      if (reason === 'offline') return { kind: 'retry', error: { code: 'offline', message: 'the browser went offline; waiting for the network' } };
      return { kind: 'retry', error: { code: 'network', message: `cannot reach the relay at ${this.options.relay}: ${(err as Error).message}` } };
    } finally {
      clearTimeout(watchdog);
      clearTimeout(this.renewal);
      if (this.abort === abort) this.abort = null;
    }
  }
}

