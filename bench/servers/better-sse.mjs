#!/usr/bin/env node
// The peer: better-sse's Channel, two ways its documentation shows.
// - default: one `channel.broadcast` per event, so one write per event per client;
// - `--batch`: every event of a published request goes into one EventBuffer and each session gets
//   it with `session.batch(buffer)`, so one write per client per request, like the relay and the
//   ceiling. The two together tell what batching is worth from what the server is worth.
// Frames carry the same id, event name and JSON data as the relay's.
import { createChannel, createEventBuffer, createSession } from 'better-sse';
import { makeIdSource, serveBaseline } from './frames.mjs';

const batched = process.argv.includes('--batch');
const channel = createChannel();
const ids = makeIdSource();
const heartbeat = Number(process.env.HEARTBEAT_MS ?? 15000);

serveBaseline(batched ? 'better-sse batched' : 'better-sse', ids, {
  async stream(req, res) {
    const session = await createSession(req, res, { keepAlive: heartbeat, retry: 2000 });
    res.socket?.setNoDelay(true);
    session.push({ clientId: 'better-sse', lastEventId: ids.last }, 'connected', ids.last);
    channel.register(session);
  },
  publish(envs) {
    if (!batched) {
      for (const e of envs) channel.broadcast(e, 'change', { eventId: e.id });
      return;
    }
    const buffer = createEventBuffer();
    for (const e of envs) buffer.push(e, 'change', e.id);
    for (const session of channel.activeSessions) void session.batch(buffer);
  },
});
