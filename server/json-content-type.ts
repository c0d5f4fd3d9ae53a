import type { IncomingMessage } from 'node:http';

/**
 * Why a request body is not declared `application/json`, or null when it is. Publish and the
 * webhook take JSON only: a `text/plain` or form POST is what a page on another site can send
 * without a CORS preflight, so accepting it would let any site write through a visitor's browser.
 */
export function notJsonBecause(req: IncomingMessage): string | null {
  const header = req.headers['content-type'];
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return null;
  const got = header === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(header.slice(0, 100))}`;
  return `the body must be sent as Content-Type: application/json; this request has ${got}`;
}
