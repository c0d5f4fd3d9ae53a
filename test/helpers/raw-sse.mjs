// A bare SSE client on a raw TCP socket: no parser, no fetch, so thousands of them stay cheap.
// Plain JavaScript: the bench's load generator (a plain node process) and the slow-clients test
// share it.
import { connect } from 'node:net';

// `event: change` (the relay, the ceiling) or `event:change` (better-sse): both end in this, and a
// data line (one line of JSON ending in `}`) never does.
const CHANGE = 'change\n';
const PING = ': ping\n';
const T_FIELD = '"t":';

/**
 * Connects to `GET /v1/events?topics=…` of the relay at `url` and sends the request; resolves with
 * the client once the socket is connected (rejects when it cannot connect). It counts `change`
 * frames and `: ping` heartbeats without parsing them and, when the event's data carries
 * `"t":<ms>`, pushes the publish → receive latency (`clock()` at arrival minus `t`) to `latencies`
 * (null: measure none). `onFrames(changes, pings, now)` hears each chunk that completed frames.
 * A `reading: false` client never reads after sending its request: the relay sees a socket whose
 * window closes, the way a stalled browser tab or a dead mobile link looks.
 */
export function openRawSse({ url, topics, reading = true, localAddress, latencies = [], clock = Date.now, onFrames }) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), localAddress });
    let settleStatus;
    const client = {
      socket,
      changes: 0,
      pings: 0,
      latencies,
      closed: false,
      status: new Promise((r) => (settleStatus = r)),
      close: () => socket.destroy(),
    };
    socket.once('connect', () => {
      socket.write(`GET /v1/events?topics=${topics} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`);
      if (!reading) socket.pause();
      resolve(client);
    });
    socket.once('error', (err) => {
      client.closed = true;
      settleStatus(err.code ?? 'error');
      reject(err);
    });
    socket.once('close', () => {
      client.closed = true;
      settleStatus('closed');
    });
    if (!reading) return;
    socket.setEncoding('utf8');
    let head = '';
    // A frame may be split across chunks: keep the tail after the last complete frame.
    let tail = '';
    socket.on('data', (text) => {
      if (head !== null) {
        head += text;
        const split = head.indexOf('\r\n\r\n');
        if (split < 0) return;
        settleStatus(head.slice(9, 12));
        text = head.slice(split + 4);
        head = null;
      }
      const now = clock();
      const buf = tail + text;
      const end = buf.lastIndexOf('\n\n');
      if (end < 0) {
        tail = buf;
        return;
      }
      tail = buf.slice(end + 2);
      let changes = 0;
      let at = buf.indexOf(CHANGE);
      while (at >= 0 && at < end) {
        changes++;
        const frameEnd = buf.indexOf('\n\n', at);
        if (latencies) {
          const t = buf.indexOf(T_FIELD, at);
          if (t >= 0 && t < frameEnd) latencies.push(now - Number.parseFloat(buf.slice(t + T_FIELD.length, t + T_FIELD.length + 20)));
        }
        at = buf.indexOf(CHANGE, frameEnd);
      }
      let pings = 0;
      let p = buf.indexOf(PING);
      while (p >= 0 && p < end) {
        pings++;
        p = buf.indexOf(PING, p + 1);
      }
      client.changes += changes;
      client.pings += pings;
      if (onFrames && (changes || pings)) onFrames(changes, pings, now);
    });
  });
}
