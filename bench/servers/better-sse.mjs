#!/usr/bin/env node
// The peer: better-sse's Channel broadcast, as its documentation shows it. One broadcast per
// event, so one write per event per client; frames carry the same id, event name and JSON data.
import { createServer } from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { banner, makeIdSource, readJson } from './frames.mjs';

const channel = createChannel();
const ids = makeIdSource();
const heartbeat = Number(process.env.HEARTBEAT_MS ?? 15000);

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/v1/events')) {
    const session = await createSession(req, res, { keepAlive: heartbeat, retry: 2000 });
    res.socket?.setNoDelay(true);
    session.push({ clientId: 'better-sse', lastEventId: ids.last }, 'connected', ids.last);
    channel.register(session);
  } else if (req.method === 'POST' && req.url === '/v1/publish') {
    const envs = ids.envelopes(await readJson(req));
    for (const e of envs) channel.broadcast(e, 'change', { eventId: e.id });
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
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => banner(server, 'better-sse'));
