import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../../server/app.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busOptions } from '../../server/bus/create-bus.js';
import type { Config } from '../../server/config.js';
import { testConfig } from '../helpers/config.js';
import { createContext, type RelayContext } from '../../server/context.js';
import { sendError } from '../../server/http-error.js';
import type { AppendInput } from '../../server/bus/bus.js';
import { mintToken, TEST_JWT_SECRET, type MintOptions } from '../helpers/tokens.js';

/*
 * Real relays for the browser tests, started by web-test-runner's serverStart hook and controlled
 * by the test pages through `/__relay/...` on the test server's own origin:
 *   GET  /__relay                     → {main, small, auth, silent, jwt}: the relays' URLs
 *                                        (jwt verifies real subscriber tokens; `open` is its public topic)
 *   POST /__relay/:name/stop|start    → drop every socket / listen again on the same port (the bus lives on)
 *   POST /__relay/:name/append        → append events straight to the bus (works while stopped)
 *   GET  /__relay/:name/stats         → {sseClients, streamRequests, lastTopics, openStreams, readersRefused, snapshotReads: {topic: count}, topicRequests: {topic: count}}
 *   POST /__relay/jwt/token           → a subscriber token signed for the jwt relay: body {sub, topics, expiresIn}
 */

interface TestRelay {
  readonly name: string;
  readonly ctx: RelayContext;
  port: number;
  server: Server | null;
  /** GET /v1/events requests seen (the auth relay counts its refusals here). */
  streamRequests: number;
  /** The `topics` of the latest stream request. */
  lastTopics: string;
  /** Each stream request still being answered: its number, `topics` and origin (to name a stream a test left over). */
  readonly open: Set<string>;
  /** Snapshot reads per topic: `GET /v1/topics/:topic`, and each selection a stream request names in `snapshot=`. */
  snapshotReads: Record<string, number>;
  /** `GET /v1/topics/:topic` requests per topic (snapshots read apart from the stream). */
  topicRequests: Record<string, number>;
  readonly app: express.Express;
}

async function listenOn(relay: TestRelay): Promise<void> {
  const server = createServer(relay.app);
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(relay.port, '127.0.0.1', () => resolve());
  });
  relay.port = (server.address() as AddressInfo).port;
  relay.server = server;
}

async function stopListening(relay: TestRelay): Promise<void> {
  const server = relay.server;
  if (!server) return;
  relay.server = null;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A crash, not a shutdown: sockets just go away, no `event: timeout`.
  server.closeAllConnections();
  await closed;
}

function makeRelay(name: string, overrides: Partial<Config>, guard?: express.RequestHandler): TestRelay {
  const config = testConfig({ PORT: 0, HOST: '127.0.0.1', ...overrides });
  const ctx = createContext(config, new MemoryBus(busOptions(config)));
  const outer = express();
  const relay: TestRelay = { name, ctx, port: 0, server: null, streamRequests: 0, lastTopics: '', open: new Set(), snapshotReads: {}, topicRequests: {}, app: outer };
  const count = (counts: Record<string, number>, topic: string) => (counts[topic] = (counts[topic] ?? 0) + 1);
  outer.use((req, res, next) => {
    if (req.method === 'GET' && req.path === '/v1/events') {
      relay.streamRequests++;
      relay.lastTopics = String(req.query.topics ?? '');
      const seen = `#${relay.streamRequests} ${relay.lastTopics} (from ${req.get('origin') ?? req.get('referer') ?? 'no origin'})`;
      relay.open.add(seen);
      res.once('close', () => relay.open.delete(seen));
      if (typeof req.query.snapshot === 'string') for (const s of req.query.snapshot.split(',')) count(relay.snapshotReads, s.split('/')[0]);
    }
    const read = req.method === 'GET' ? /^\/v1\/topics\/([^/]+)$/.exec(req.path) : null;
    if (read) {
      count(relay.topicRequests, decodeURIComponent(read[1]));
      count(relay.snapshotReads, decodeURIComponent(read[1]));
    }
    next();
  });
  if (guard) outer.use(guard);
  outer.use(createApp(ctx));
  return relay;
}

/** Refuses every stream and snapshot without `Authorization: Bearer good-token`, as an auth relay would. */
const requireToken: express.RequestHandler = (req, res, next) => {
  if (req.method === 'OPTIONS' || !req.path.startsWith('/v1/')) return next();
  if (req.get('authorization') === 'Bearer good-token') return next();
  res.setHeader('Access-Control-Allow-Origin', req.get('origin') ?? '*');
  sendError(res, 401, 'unauthorized', 'a valid subscriber token is required: pass token="…"');
};

/** Opens streams that say `connected` and then nothing, not even a heartbeat: a dead connection. */
const silentStreams: express.RequestHandler = (req, res, next) => {
  if (req.method !== 'GET' || req.path !== '/v1/events') return next();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'Access-Control-Allow-Origin': req.get('origin') ?? '*',
  });
  res.write(`event: connected\ndata: ${JSON.stringify({ clientId: 'silent', lastEventId: '0-0' })}\n\n`);
};

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

/** Koa-style context, as web-test-runner's middleware gets it (only what is used here). */
interface KoaContext {
  method: string;
  path: string;
  req: IncomingMessage;
  status: number;
  body: unknown;
  type: string;
}

/** The web-test-runner plugin; `testOrigin` is the test server's origin (allowed by CORS). */
export function relayPlugin(testOrigin: string) {
  const cors = { CORS_ORIGINS: [testOrigin], RETRY_MS: 300, LOG_LEVEL: 'silent' as const };
  const relays = new Map<string, TestRelay>([
    ['main', makeRelay('main', cors)],
    ['small', makeRelay('small', { ...cors, HISTORY_SIZE: 5 })],
    ['auth', makeRelay('auth', cors, requireToken)],
    ['silent', makeRelay('silent', cors, silentStreams)],
    ['jwt', makeRelay('jwt', { ...cors, SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: ['open'], SERIES_TOPICS: ['prices'] })],
  ]);
  const url = (r: TestRelay) => `http://127.0.0.1:${r.port}`;

  return {
    name: 'live-elements-relays',
    async serverStart() {
      for (const r of relays.values()) await listenOn(r);
    },
    async serverStop() {
      for (const r of relays.values()) {
        await stopListening(r);
        await r.ctx.close();
      }
    },
    middleware: [
      async (ctx: KoaContext, next: () => Promise<unknown>) => {
        if (!ctx.path.startsWith('/__relay')) return next();
        ctx.type = 'application/json';
        if (ctx.path === '/__relay') {
          ctx.body = JSON.stringify(Object.fromEntries([...relays].map(([n, r]) => [n, url(r)])));
          return;
        }
        const m = /^\/__relay\/([a-z]+)\/([a-z]+)$/.exec(ctx.path);
        const relay = m ? relays.get(m[1]) : undefined;
        if (!m || !relay) {
          ctx.status = 404;
          ctx.body = JSON.stringify({ error: `no such relay control ${ctx.path}` });
          return;
        }
        const action = m[2];
        if (ctx.method === 'POST' && action === 'stop') {
          await stopListening(relay);
          ctx.body = '{}';
        } else if (ctx.method === 'POST' && action === 'start') {
          if (!relay.server) await listenOn(relay);
          ctx.body = JSON.stringify({ url: url(relay) });
        } else if (ctx.method === 'POST' && action === 'append') {
          const events = (await readBody(ctx.req)) as AppendInput[];
          const result = await relay.ctx.bus.append(events);
          ctx.body = JSON.stringify({ ids: result.events.map((e) => e.id) });
        } else if (ctx.method === 'POST' && action === 'token') {
          ctx.body = JSON.stringify({ token: await mintToken((await readBody(ctx.req)) as MintOptions) });
        } else if (ctx.method === 'GET' && action === 'stats') {
          const gauge = await relay.ctx.metrics.sseClients.get();
          const refused = (await relay.ctx.metrics.readersRefused.get()).values.reduce((n, v) => n + v.value, 0);
          ctx.body = JSON.stringify({ sseClients: gauge.values[0]?.value ?? 0, streamRequests: relay.streamRequests, lastTopics: relay.lastTopics, openStreams: [...relay.open], readersRefused: refused, snapshotReads: relay.snapshotReads, topicRequests: relay.topicRequests });
        } else {
          ctx.status = 404;
          ctx.body = JSON.stringify({ error: `unknown action ${ctx.method} ${action}` });
        }
      },
    ],
  };
}
