import type { Response } from 'express';
import type { ErrorBody } from '../src/core/wire.js';

/**
 * Answers with the relay's one error shape, `{"error":{"code","message"}}`.
 * `code` is a stable machine-readable word (`bad_request`, `unauthorized`, ...); `message` tells a
 * person what was wrong with which input and how to fix it. `extra` adds machine-readable detail
 * (a 403's `selectors`).
 */
export function sendError(res: Response, status: number, code: string, message: string, extra?: Pick<ErrorBody['error'], 'selectors'>): void {
  const body: ErrorBody = { error: { code, message, ...extra } };
  res.status(status).json(body);
}
