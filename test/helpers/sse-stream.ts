import { createParser } from 'eventsource-parser';

/** One SSE frame as a client sees it. */
export interface Frame {
  event: string;
  id?: string;
  data: string;
  /** `data` parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** A test client for `GET /v1/events` that collects every frame (see {@link openStream}). */
export interface TestStream {
  readonly status: number;
  readonly headers: Headers;
  /** The error body when the status is not 200. */
  readonly body: any;
  /** Every frame received so far, in order. */
  readonly frames: Frame[];
  /** The `retry:` value, once received. */
  readonly retry: number | null;
  /** Comment lines received (heartbeats). */
  readonly comments: string[];
  /** Only the `change` frames' envelopes. */
  changes(): any[];
  /** Resolves once `predicate` holds over the frames; rejects after `timeoutMs` naming what it waited for. */
  waitFor(predicate: (frames: Frame[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Resolves when the relay ends the stream. */
  readonly ended: Promise<void>;
  /** Aborts the request. */
  close(): void;
}

export interface OpenStreamOptions {
  topics: string;
  lastEventId?: string;
  /** Put the resume position in the query instead of the Last-Event-ID header. */
  lastEventIdInQuery?: boolean;
  headers?: Record<string, string>;
  /** More query parameters (e.g. `token`). */
  query?: Record<string, string>;
}

/** What a stream hands its reader as it arrives. */
export interface StreamListener {
  onFrame?(frame: Frame): void;
  /** A comment line (a heartbeat). */
  onComment?(comment: string): void;
  onRetry?(ms: number): void;
  /** The stream ended (the relay closed it, the network dropped it, or it was aborted). */
  onEnd?(): void;
}

/** One request to `GET /v1/events`, once its head arrived. */
export interface SseConnection {
  readonly status: number;
  readonly headers: Headers;
  /** The error body when the status is not 200. */
  readonly body: any;
  /** Resolves when the stream ends. */
  readonly ended: Promise<void>;
}

/**
 * The one stream reader of the tests (fetch + eventsource-parser): opens a stream on the relay at
 * `url` (its base, e.g. `http://127.0.0.1:1234`) and hands `listener` each frame, comment and
 * `retry:` as it arrives; resolves once the head arrived. `signal` aborts it. An error thrown by the
 * listener is not a dropped stream: the stream ends and the error surfaces (unhandled), failing the test.
 */
export async function connectStream(url: string, options: OpenStreamOptions, listener: StreamListener, signal?: AbortSignal): Promise<SseConnection> {
  const qs = new URLSearchParams({ topics: options.topics, ...options.query });
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId !== undefined) {
    if (options.lastEventIdInQuery) qs.set('lastEventId', options.lastEventId);
    else headers['Last-Event-ID'] = options.lastEventId;
  }
  const res = await fetch(`${url}/v1/events?${qs}`, { headers, signal });
  let body: any = null;
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));

  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    endedResolve();
  } else {
    let listenerError: { error: unknown } | null = null;
    const parser = createParser({
      onEvent(ev) {
        let json: any;
        try {
          json = JSON.parse(ev.data);
        } catch {
          json = undefined;
        }
        listener.onFrame?.({ event: ev.event ?? 'message', id: ev.id, data: ev.data, json });
      },
      onRetry(ms) {
        listener.onRetry?.(ms);
      },
      onComment(c) {
        listener.onComment?.(c);
      },
    });
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          try {
            parser.feed(decoder.decode(chunk, { stream: true }));
          } catch (error) {
            listenerError = { error };
            break;
          }
        }
      } catch {
        // aborted or reset by the relay: both end the stream
      }
      endedResolve();
      listener.onEnd?.();
      if (listenerError) throw listenerError.error;
    })();
  }
  return { status: res.status, headers: res.headers, body, ended };
}

/** Opens a stream on a relay at `url` (its base, e.g. `http://127.0.0.1:1234`) that collects every frame. */
export async function openStream(url: string, options: OpenStreamOptions): Promise<TestStream> {
  const abort = new AbortController();
  const frames: Frame[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let retry: number | null = null;
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let isEnded = false;
  const { status, headers, body, ended } = await connectStream(
    url,
    options,
    {
      onFrame(frame) {
        frames.push(frame);
        notify();
      },
      onRetry(ms) {
        retry = ms;
      },
      onComment(c) {
        comments.push(c);
        notify();
      },
      onEnd() {
        isEnded = true;
        notify();
      },
    },
    abort.signal,
  );
  void ended.then(() => {
    isEnded = true;
    notify();
  });

  return {
    status,
    headers,
    body,
    frames,
    comments,
    get retry() {
      return retry;
    },
    changes: () => frames.filter((f) => f.event === 'change').map((f) => f.json),
    ended,
    waitFor(predicate, timeoutMs = 10_000, what = 'a condition on the frames') {
      if (predicate(frames)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(frames)) {
            done();
            resolve();
          } else if (isEnded) {
            done();
            reject(new Error(`stream ended while waiting for ${what}; frames: ${summary(frames)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; frames: ${summary(frames)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check(); // it may have ended already
      });
    },
    close() {
      abort.abort();
    },
  };
}

function summary(frames: Frame[]): string {
  const s = frames.map((f) => `${f.event}${f.id ? `#${f.id}` : ''}`).join(', ');
  return s.length > 600 ? `${frames.length} frames ... ${s.slice(-500)}` : s || '(none)';
}
