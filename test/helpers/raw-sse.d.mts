import type { Socket } from 'node:net';

/** A bare SSE client on a raw TCP socket (see raw-sse.mjs). */
export interface RawSseClient<L extends number[] | null = number[]> {
  readonly socket: Socket;
  /** Change frames received. */
  readonly changes: number;
  /** `: ping` heartbeats received. */
  readonly pings: number;
  /** Where the latencies go (ms, one per change frame that carried `t`); null when none are measured. */
  readonly latencies: L;
  /** True once the relay (or the network) closed the socket. */
  readonly closed: boolean;
  /** The response's status code ('200') once its head arrived, else the socket's error code or 'closed'. */
  readonly status: Promise<string>;
  close(): void;
}

export interface RawSseOptions {
  /** Relay base URL (http only). */
  url: string;
  topics: string;
  /** False: never read (a slow client). Default true. */
  reading?: boolean;
  /** Source address, to spread many sockets over 127.0.0.x. */
  localAddress?: string;
  /** The receive clock, in the publisher's `t` units. Default Date.now. */
  clock?: () => number;
  /** Hears each chunk that completed frames: its change frames, its heartbeats and the clock then. */
  onFrames?: (changes: number, pings: number, now: number) => void;
}

/**
 * Connects and sends the request; resolves with the client once the socket is connected.
 * `latencies`: where to push publish → receive latencies; null measures none. Default: a new array.
 */
export function openRawSse<L extends number[] | null = number[]>(options: RawSseOptions & { latencies?: L }): Promise<RawSseClient<L>>;
