import type { ServerResponse } from 'node:http';
import type { Envelope } from '../../src/core/wire.js';
import { changeFrame } from './frames.js';

/**
 * Writes a replay (after `prefix`, the connected frame) in slices of about `sliceChars`, waiting for
 * the socket to drain between slices. A long replay is thus never held in memory all at once, and
 * the send-buffer limit that evicts slow readers does not mistake a big replay for a stuck client.
 * Resolves false when the stream closed before the replay was written.
 */
export async function writeReplay(res: ServerResponse, prefix: string, events: readonly Envelope[], sliceChars: number, isClosed: () => boolean): Promise<boolean> {
  let chunk = prefix;
  for (let i = 0; i < events.length; i++) {
    chunk += changeFrame(events[i]);
    if (chunk.length >= sliceChars) {
      if (!(await writeDrained(res, chunk)) || isClosed()) return false;
      chunk = '';
    }
  }
  if (chunk !== '') res.write(chunk);
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
