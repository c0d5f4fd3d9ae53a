#!/usr/bin/env node
// The ceiling: a minimal node:http SSE server writing the relay's exact frames, one write per
// client per published batch, with no selectors, replay, limits or backpressure. Nothing a real
// relay could skip, so its throughput bounds what the relay can reach on this machine.
import { createServer } from 'node:http';
import { banner, changeFrame, connectedFrame, makeIdSource, readJson } from './frames.mjs';

const clients = new Set();
const ids = makeIdSource();
let nextClient = 0;

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/v1/events')) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.socket.setNoDelay(true);
    res.write(connectedFrame(`raw-${nextClient++}`, ids.last));
    clients.add(res);
    res.on('close', () => clients.delete(res));
  } else if (req.method === 'POST' && req.url === '/v1/publish') {
    const envs = ids.envelopes(await readJson(req));
    let chunk = '';
    for (const e of envs) chunk += changeFrame(e);
    for (const c of clients) c.write(chunk);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ids: envs.map((e) => e.id) }));
  } else if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
setInterval(() => {
  for (const c of clients) c.write(': ping\n\n');
}, Number(process.env.HEARTBEAT_MS ?? 15000)).unref();
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => banner(server, 'raw-node'));
