import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one path of the {@link FeedServer} serves. */
export interface FeedRoute {
  /** The document (status 200), or a status to fail with; not needed with `respond`. */
  body?: string | { status: number };
  /** Send an ETag (and honour If-None-Match). */
  etag?: boolean;
  /** Send Last-Modified (and honour If-Modified-Since). */
  lastModified?: string;
  /** Answer 401 unless the request carries exactly this Authorization header. */
  authorization?: string;
  /** Answers by hand instead (hostile servers: endless bodies, gzip bombs, redirect loops). */
  respond?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Per-path request counts. */
export interface FeedHits {
  requests: number;
  notModified: number;
  /** The conditional headers of the last request. */
  lastConditional: { ifNoneMatch?: string; ifModifiedSince?: string };
}

/** A local HTTP server for feed fixtures (there is no internet in tests). */
export interface FeedServer {
  readonly url: string;
  /** Sets (or replaces) what a path serves. */
  serve(path: string, route: FeedRoute): void;
  hits(path: string): FeedHits;
  close(): Promise<void>;
}

const fixtures = new URL('../fixtures/feeds/', import.meta.url);

/** Reads `test/fixtures/feeds/<name>`. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, fixtures), 'utf8');
}

/** Starts a feed server on 127.0.0.1 and a free port. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, FeedRoute>();
  const hits = new Map<string, FeedHits>();
  const hitsOf = (path: string) => {
    let h = hits.get(path);
    if (!h) hits.set(path, (h = { requests: 0, notModified: 0, lastConditional: {} }));
    return h;
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const h = hitsOf(path);
    h.requests++;
    h.lastConditional = {
      ifNoneMatch: req.headers['if-none-match'] as string | undefined,
      ifModifiedSince: req.headers['if-modified-since'] as string | undefined,
    };
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('no such feed');
      return;
    }
    if (route.authorization !== undefined && req.headers.authorization !== route.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="feeds"' }).end('credentials required');
      return;
    }
    if (route.respond) {
      route.respond(req, res);
      return;
    }
    if (typeof route.body !== 'string') {
      res.writeHead(route.body?.status ?? 500).end('failing on purpose');
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/xml; charset=utf-8' };
    const etag = route.etag ? `"${createHash('sha1').update(route.body).digest('hex').slice(0, 16)}"` : undefined;
    if (etag) headers.etag = etag;
    if (route.lastModified) headers['last-modified'] = route.lastModified;
    const fresh = (etag && req.headers['if-none-match'] === etag) || (route.lastModified && req.headers['if-modified-since'] === route.lastModified);
    if (fresh) {
      h.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (path, route) => void routes.set(path, route),
    hits: hitsOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
