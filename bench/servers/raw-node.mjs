#!/usr/bin/env node
// The ceiling: a minimal node:http SSE server writing the relay's exact frames, with no selectors,
// replay, limits or backpressure. Published frames are queued and flushed once per turn of the
// event loop (setImmediate), joined once and written to every client, so publishes that arrive
// together cost one write per client, as the relay's tail and socket queue make them. Nothing a
// real relay could skip, so its throughput bounds what the relay can reach on this machine.
import { changeFrame, connectedFrame, makeIdSource, serveBaseline } from './frames.mjs';

/** Every open stream. Every client reads the one topic, so all get the same text. */
const clients = new Set();
const ids = makeIdSource();
let nextClient = 0;
/** Frames published since the last flush, written to every client at once in one write each. */
let pending = [];

function flush() {
  const text = pending.join('');
  pending = [];
  for (const res of clients) res.write(text);
}

function enqueue(chunk) {
  if (pending.length === 0) setImmediate(flush);
  pending.push(chunk);
}

serveBaseline('raw-node', ids, {
  stream(req, res) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.socket.setNoDelay(true);
    res.write(connectedFrame(`raw-${nextClient++}`, ids.last));
    clients.add(res);
    res.on('close', () => clients.delete(res));
  },
  publish(envs) {
    let chunk = '';
    for (const e of envs) chunk += changeFrame(e);
    enqueue(chunk);
  },
});
setInterval(() => enqueue(': ping\n\n'), Number(process.env.HEARTBEAT_MS ?? 15000)).unref();
