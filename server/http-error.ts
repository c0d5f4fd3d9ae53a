import type { Response } from 'express';
import type { ErrorBody } from '../src/core/wire.js';

/**
 * Answers with the relay's one error shape, `{"error":{"code","message"}}`.
 * `code` is a stable machine-readable word (`bad_request`, `unauthorized`, ...); `message` tells a
 * person what was wrong with which input and how to fix it.
 */
export function sendError(res: Response, status: number, code: string, message: string): void {
  const body: ErrorBody = { error: { code, message } };
  res.status(status).json(body);
}
