import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '../src/core/wire.js';

/**
 * Answers with the relay's one error shape, `{"error":{"code","message"}}`.
 * `code` is a stable machine-readable word (`bad_request`, `unauthorized`, ...); `message` tells a
 * person what was wrong with which input and how to fix it. `extra` adds machine-readable detail
 * (a 403's `selectors`).
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string, extra?: Pick<ErrorBody['error'], 'selectors'>): void {
  const body: ErrorBody = { error: { code, message, ...extra } };
  // Plain node:http, so the SSE route (served without Express, see server.ts) answers alike.
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
