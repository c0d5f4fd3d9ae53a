import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

/*
 * An HTTP proxy for one WebKit session (its `proxy` capability): classic WebDriver can neither run
 * a script before the page's own, nor list or fail a page's requests, nor report its console. This
 * proxy gives the tests those few things the way Playwright and Puppeteer do for the other
 * engines: it puts the init scripts at the top of every HTML document, records every request and
 * every failed answer, and fails the requests it is told to.
 */

export interface RecordingProxy {
  /** `127.0.0.1:port`, for the WebDriver `proxy` capability. */
  readonly address: string;
  /** Scripts (function sources) run first in every document, in order. */
  readonly initScripts: string[];
  /** Every URL requested through the proxy. */
  readonly requested: string[];
  /** Answers of status 400 and up, and requests that got no answer, as `http 404: GET url`. */
  readonly failures: string[];
  /** Requests whose URL matches one of these fail as a network error. */
  readonly failing: RegExp[];
  close(): Promise<void>;
}

/** Puts `scripts` first in an HTML document, after its doctype (before it would mean quirks mode). */
function injectScripts(html: string, scripts: string[]): string {
  const tag = scripts.map((s) => `<script>(${s})();</script>`).join('');
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  return doctype ? doctype[0] + tag + html.slice(doctype[0].length) : tag + html;
}

export async function startRecordingProxy(): Promise<RecordingProxy> {
  const initScripts: string[] = [];
  const requested: string[] = [];
  const failures: string[] = [];
  const failing: RegExp[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    requested.push(url);
    if (!url.startsWith('http:')) {
      failures.push(`request failed: ${req.method} ${url} (the test proxy forwards http: only)`);
      res.writeHead(501).end();
      return;
    }
    if (failing.some((p) => p.test(url))) {
      req.socket.destroy();
      return;
    }
    const headers = { ...req.headers };
    // Documents come back uncompressed so that the init scripts can be put into them.
    delete headers['accept-encoding'];
    delete headers['proxy-connection'];
    const upstream = request(url, { method: req.method, headers }, (answer) => {
      const status = answer.statusCode ?? 0;
      // The browser's own favicon request (Chromium's headless shell makes none) is not the page's.
      if (status >= 400 && new URL(url).pathname !== '/favicon.ico') failures.push(`http ${status}: ${req.method} ${url}`);
      const isDocument = /^text\/html/.test(answer.headers['content-type'] ?? '') && initScripts.length > 0;
      if (!isDocument) {
        res.writeHead(status, answer.headers);
        pipeline(answer, res, () => {});
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.from(injectScripts(Buffer.concat(chunks).toString('utf8'), initScripts));
        const out: Record<string, string | string[] | undefined> = { ...answer.headers, 'content-length': String(body.length) };
        delete out['transfer-encoding'];
        // The injected init scripts are inline: like Playwright's bypassCSP, the page's own policy
        // (the demo pages refuse inline scripts) must not refuse the test's instrumentation.
        delete out['content-security-policy'];
        res.writeHead(status, out).end(body);
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // A stream the page gave up on is not a failure; a refused connection is (the tests filter it).
      if (!res.destroyed) failures.push(`request failed: ${req.method} ${url} (${err.code ?? err.message})`);
      res.destroy();
    });
    res.on('close', () => upstream.destroy());
    pipeline(req, upstream, () => {});
  };

  const server: Server = createServer(forward);
  // WebSockets (vite's client opens one) pass through untouched.
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const target = new URL((req.url ?? '').replace(/^ws/, 'http'));
    requested.push(req.url ?? '');
    const upstream = connect(Number(target.port || 80), target.hostname, () => {
      const lines = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  // Streams stay open as long as the tests want them.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    initScripts,
    requested,
    failures,
    failing,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
