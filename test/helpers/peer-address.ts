import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

/** An HTTP server whose connections look, to the handler, as if they came from other addresses. */
export interface PeerServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `handler` on 127.0.0.1 over real sockets, giving each connection the peer address
 * `peerFor(realPeer)` (the real one is the client's local address: pick 127.0.0.2, 127.0.0.3...
 * with `localAddress` to tell clients apart). The handler reads `req.socket.remoteAddress` as it
 * would from a visitor on another network: this machine has no such address to connect from.
 */
export async function serveWithPeer(handler: RequestListener, peerFor: (realPeer: string) => string): Promise<PeerServer> {
  const http = createHttpServer(handler);
  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    const peer = peerFor(socket.remoteAddress ?? '');
    Object.defineProperty(socket, 'remoteAddress', { value: peer, configurable: true });
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    http.emit('connection', socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
