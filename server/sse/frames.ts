import { SSE_EVENT } from '../../src/core/wire.js';
import { envelopeJson } from '../bus/envelope-json.js';
import type { ConnectedEvent, Envelope, ResetEvent, SnapshotEvent, TimeoutEvent } from '../../src/core/wire.js';

/*
 * SSE frame text. Data is always one line of JSON (JSON.stringify escapes newlines), so a frame
 * never needs splitting into several `data:` lines.
 */

/** A content frame: `id:` is the log id, so a reconnecting client resumes right after it. */
export function changeFrame(env: Envelope): string {
  return `id: ${env.id}\nevent: ${SSE_EVENT.change}\ndata: ${envelopeJson(env)}\n\n`;
}

/** The first frame of every stream, preceded by the client's reconnection delay. */
export function connectedFrame(body: ConnectedEvent, retryMs: number): string {
  const id = body.lastEventId === null ? '' : `id: ${body.lastEventId}\n`;
  return `retry: ${retryMs}\n${id}event: ${SSE_EVENT.connected}\ndata: ${JSON.stringify(body)}\n\n`;
}

/** A selection's state at a log position; no `id:`, as it does not move the stream's position. */
export function snapshotFrame(body: SnapshotEvent): string {
  return `event: ${SSE_EVENT.snapshot}\ndata: ${JSON.stringify(body)}\n\n`;
}

/** Tells the client its position is void for these topics; `id:` moves its resume position to the log's head. */
export function resetFrame(body: ResetEvent): string {
  const id = body.lastEventId === null ? '' : `id: ${body.lastEventId}\n`;
  return `${id}event: ${SSE_EVENT.reset}\ndata: ${JSON.stringify(body)}\n\n`;
}

/** The relay closes the stream on purpose; the client reconnects and resumes by id. */
export function timeoutFrame(body: TimeoutEvent): string {
  return `event: ${SSE_EVENT.timeout}\ndata: ${JSON.stringify(body)}\n\n`;
}

/** A comment line that keeps proxies from closing an idle stream. */
export const HEARTBEAT_FRAME = ': ping\n\n';
