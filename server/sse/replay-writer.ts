import type { ServerResponse } from 'node:http';
import type { Envelope } from '../../src/core/wire.js';
import { changeFrame } from './frames.js';

/**
 * Writes the start of a stream: the `head` frames (connected, reset, snapshots), then the replayed
 * events, in slices of about `sliceChars`, waiting for the socket to drain after each slice and
 * after the last one. A long replay is thus never held in memory all at once, and the send-buffer
 * limit that evicts slow readers does not mistake a big start (a replay, large snapshots) for a
 * stuck client: the live events that follow find the buffer drained. Resolves false when the
 * stream closed before it was all written.
 */
export async function writeReplay(res: ServerResponse, head: readonly string[], events: readonly Envelope[], sliceChars: number, isClosed: () => boolean): Promise<boolean> {
  let chunk = '';
  const n = head.length + events.length;
  for (let i = 0; i < n; i++) {
    chunk += i < head.length ? head[i] : changeFrame(events[i - head.length]);
    if (chunk.length >= sliceChars || i === n - 1) {
      if (!(await writeDrained(res, chunk)) || isClosed()) return false;
      chunk = '';
    }
  }
  return !isClosed();
}

/** Writes and, when the socket asks the writer to wait, waits for 'drain' (false on close). */
function writeDrained(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
