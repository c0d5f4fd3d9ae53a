import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SSE_EVENT, type ConnectedEvent, type Envelope, type ErrorBody, type ResetEvent, type TimeoutEvent } from './wire.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { ConnectionState, ConnectionStatus, LiveError } from './status.js';

/** What an {@link SseStream} needs to know. */
export interface SseStreamOptions {
  /** The relay's base URL, e.g. `https://relay.example.com`. */
  relay: string;
  /** Bearer token sent as `Authorization` (omit for public topics). */
  token?: string | null;
  /** The selectors to stream, read at every (re)connection. */
  selectors: () => readonly string[];
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
  onStatus(status: ConnectionStatus): void;
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

  constructor(
    private readonly options: SseStreamOptions,
    private readonly handlers: SseStreamHandlers,
  ) {
    this.lastEventId = options.lastEventId ?? null;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
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

  private url(): string {
    const topics = this.options.selectors().map(encodeURIComponent).join(',');
    return `${this.options.relay.replace(/\/+$/, '')}/v1/events?topics=${topics}`;
  }

  private async connectOnce(openedAt: { at: number }): Promise<Outcome> {
    const abort = new AbortController();
    this.abort = abort;
    this.abortReason = null;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
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
      feedWatchdog();
      const res = await fetch(this.url(), { headers, signal: abort.signal, cache: 'no-store', credentials: 'omit' });
      if (!res.ok || !res.body) {
        const error = await errorOf(res);
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
            this.setStatus({ status: 'open', attempts: 0, error: null });
            this.handlers.onConnected(JSON.parse(msg.data) as ConnectedEvent);
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
      if (this.abort === abort) this.abort = null;
    }
  }
}

/** The relay's JSON error, or a message built from the status. */
async function errorOf(res: Response): Promise<LiveError> {
  let body: Partial<ErrorBody> | null = null;
  try {
    body = (await res.json()) as Partial<ErrorBody>;
  } catch {
    // not JSON: fall back to the status below
  }
  const code = body?.error?.code ?? `http_${res.status}`;
  const detail = body?.error?.message ?? res.statusText;
  const hint =
    res.status === 401 ? ' (check the token given to <live-source token> or configure({token}))'
    : res.status === 403 ? ' (the token does not allow these topics)'
    : res.status === 404 ? ' (check the relay URL: it should be the relay\'s base URL, without /v1)'
    : '';
  return { code, message: `the relay answered ${res.status}: ${detail}${hint}` };
}
