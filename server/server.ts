import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, noSniff } from './app.js';
import type { RelayContext } from './context.js';
import { isStreamRequest, streamHandler } from './routes/events.js';

/** A relay listening on a socket. */
export interface RunningRelay {
  readonly server: Server;
  /** `http://host:port`, with the port actually bound (PORT=0 picks a free one). */
  readonly url: string;
  /**
   * Graceful stop: no new connections, `event: timeout` (reason shutdown) to every stream, the
   * context's onClose hooks, the bus closed, the socket closed.
   */
  close(): Promise<void>;
}

/** Serves the context's app on `port`/`host` (host unset: every interface). */
export async function listen(ctx: RelayContext, port: number, host?: string): Promise<RunningRelay> {
  const streams = streamHandler(ctx);
  const app = createApp(ctx, streams);
  // Streams skip Express: it costs each held stream memory for nothing (see streamHandler).
  const server = createServer((req, res) => (isStreamRequest(req) ? noSniff(req, res, () => streams(req, res)) : app(req, res)));
  // Streams are long-lived by design; the lifetime limit is MAX_LIFETIME_MS, not a socket timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host && host !== '0.0.0.0' && host !== '::' ? host : '127.0.0.1';
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${addr.port}`;
  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await ctx.close();
        server.closeIdleConnections();
        // Ended streams finish flushing their timeout frame; anything still open after that goes.
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        await closed;
        clearTimeout(force);
      })();
      return closing;
    },
  };
}
