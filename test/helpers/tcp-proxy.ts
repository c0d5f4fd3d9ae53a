import { createServer, connect, type Socket } from 'node:net';

/** A TCP proxy a test can cut and restore, to partition one client from a server that keeps running. */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones until {@link restore}. */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
  /**
   * Delays by `ms` every reply on connections whose client sent `marker` (e.g. the connection name
   * in ioredis' `CLIENT SETNAME`), to make one connection of a client lag behind its others.
   */
  delayReplies(marker: string, ms: number): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let delay = { marker: '', ms: 0 };
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    let sent = '';
    let delayed = false;
    client.on('data', (chunk: Buffer) => {
      if (!delayed && delay.ms > 0 && sent.length < 4096) {
        sent += chunk.toString('latin1');
        delayed = sent.includes(delay.marker);
      }
      upstream.write(chunk);
    });
    // Timers of one duration fire in the order they were set, so delayed replies keep their order.
    upstream.on('data', (chunk: Buffer) => {
      if (delayed) setTimeout(() => client.destroyed || client.write(chunk), delay.ms);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const dropAll = () => {
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    port,
    cut() {
      cut = true;
      dropAll();
    },
    restore() {
      cut = false;
    },
    delayReplies(marker, ms) {
      delay = { marker, ms };
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
