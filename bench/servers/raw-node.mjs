#!/usr/bin/env node
// The ceiling: a minimal node:http SSE server writing the relay's exact frames, with no selectors,
// replay, limits or backpressure. Each client's frames are queued and flushed once per turn of the
// event loop (setImmediate), so publishes that arrive together cost one write per client, as the
// relay's tail and socket queue make them. Nothing a real relay could skip, so its throughput
// bounds what the relay can reach on this machine.
import { changeFrame, connectedFrame, makeIdSource, serveBaseline } from './frames.mjs';

/** Every open stream and the text waiting for its next flush ('' when nothing waits). */
const clients = new Map();
const ids = makeIdSource();
let nextClient = 0;
let flushScheduled = false;

function flush() {
  flushScheduled = false;
  for (const [res, pending] of clients) {
    if (pending) {
      res.write(pending);
      clients.set(res, '');
    }
  }
}

function enqueue(chunk) {
  for (const [res, pending] of clients) clients.set(res, pending + chunk);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

serveBaseline('raw-node', ids, {
  stream(req, res) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.socket.setNoDelay(true);
    res.write(connectedFrame(`raw-${nextClient++}`, ids.last));
    clients.set(res, '');
    res.on('close', () => clients.delete(res));
  },
  publish(envs) {
    let chunk = '';
    for (const e of envs) chunk += changeFrame(e);
    enqueue(chunk);
  },
});
setInterval(() => enqueue(': ping\n\n'), Number(process.env.HEARTBEAT_MS ?? 15000)).unref();
