/*
 * The relay's SSE frame text (server/sse/frames.ts), repeated here so the baseline servers write
 * byte-identical frames without importing the relay's TypeScript.
 */
import { createServer } from 'node:http';

/** A content frame: `id:` is the log id. */
export const changeFrame = (env) => `id: ${env.id}\nevent: change\ndata: ${JSON.stringify(env)}\n\n`;

/** The first frame of a stream. */
export const connectedFrame = (clientId, lastEventId) =>
  `retry: 2000\nid: ${lastEventId}\nevent: connected\ndata: ${JSON.stringify({ clientId, lastEventId })}\n\n`;

/** Envelopes for a published batch, with the relay's id scheme `<ms>-<seq>`. */
export function makeIdSource() {
  let lastMs = 0;
  let seq = 0;
  let last = '0-0';
  return {
    get last() {
      return last;
    },
    envelopes(inputs) {
      const now = Date.now();
      if (now > lastMs) {
        lastMs = now;
        seq = 0;
      }
      const time = new Date(lastMs).toISOString();
      return inputs.map((e) => {
        last = `${lastMs}-${seq++}`;
        return { id: last, topic: e.topic, key: e.key, op: e.op, data: e.data, time };
      });
    },
  };
}

/** Reads a request body as JSON (an event or an array of them). */
export async function readJson(req) {
  let text = '';
  req.setEncoding('utf8');
  for await (const chunk of req) text += chunk;
  const body = JSON.parse(text);
  return Array.isArray(body) ? body : [body];
}

/** Prints the banner the bench (and the relay's test helper) waits for. */
export function banner(server, name) {
  const { address, port } = server.address();
  process.stdout.write(`${name} listening on http://${address}:${port}\n`);
}

/**
 * The HTTP side every baseline shares: `GET /v1/events` goes to `stream(req, res)`, `POST
 * /v1/publish` turns the body into envelopes (ids from `ids`), hands them to `publish(envs)` and
 * answers their ids, `/healthz` answers ok. Listens on PORT/HOST and prints the banner.
 */
export function serveBaseline(name, ids, { stream, publish }) {
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/v1/events')) {
      await stream(req, res);
    } else if (req.method === 'POST' && req.url === '/v1/publish') {
      const envs = ids.envelopes(await readJson(req));
      publish(envs);
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
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => banner(server, name));
  return server;
}
