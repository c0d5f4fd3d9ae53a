import { connect, type Socket } from 'node:net';

/**
 * A bare SSE client on a raw TCP socket: no parser, no fetch, so hundreds of them stay cheap. It
 * counts `change` frames and, when the event's data carries `"t":<unix ms>`, the publish→receive
 * latency. A `reading: false` client never reads after sending its request: the relay sees a
 * socket whose window closes, the way a stalled browser tab or a dead mobile link looks.
 */
export interface RawSseClient {
  readonly socket: Socket;
  /** Change frames received. */
  readonly changes: number;
  /** Latencies in ms, one per change frame that carried `t`. */
  readonly latencies: number[];
  /** True once the relay (or the network) closed the socket. */
  readonly closed: boolean;
  close(): void;
}

export interface RawSseOptions {
  /** Relay base URL (http only). */
  url: string;
  topics: string;
  /** False: never read (a slow client). Default true. */
  reading?: boolean;
  /** Source address, to spread many sockets over 127.0.0.x. */
  localAddress?: string;
}

const CHANGE = 'event: change\n';
const T_FIELD = '"t":';

/** Connects and sends the request; resolves once the socket is connected. */
export function openRawSse(options: RawSseOptions): Promise<RawSseClient> {
  const u = new URL(options.url);
  const reading = options.reading ?? true;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), localAddress: options.localAddress });
    const state = { changes: 0, latencies: [] as number[], closed: false };
    // A frame may be split across chunks: keep the tail after the last complete frame.
    let tail = '';
    socket.once('connect', () => {
      socket.write(`GET /v1/events?topics=${options.topics} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`);
      if (!reading) socket.pause();
      resolve({
        socket,
        get changes() {
          return state.changes;
        },
        latencies: state.latencies,
        get closed() {
          return state.closed;
        },
        close: () => socket.destroy(),
      });
    });
    socket.once('error', (err) => {
      state.closed = true;
      reject(err);
    });
    socket.once('close', () => (state.closed = true));
    if (!reading) return;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const now = Date.now();
      const buf = tail + text;
      const end = buf.lastIndexOf('\n\n');
      if (end < 0) {
        tail = buf;
        return;
      }
      tail = buf.slice(end + 2);
      let at = buf.indexOf(CHANGE);
      while (at >= 0 && at < end) {
        state.changes++;
        const t = buf.indexOf(T_FIELD, at);
        const frameEnd = buf.indexOf('\n\n', at);
        if (t >= 0 && t < frameEnd) state.latencies.push(now - Number.parseFloat(buf.slice(t + T_FIELD.length, t + T_FIELD.length + 20)));
        at = buf.indexOf(CHANGE, frameEnd);
      }
    });
  });
}
