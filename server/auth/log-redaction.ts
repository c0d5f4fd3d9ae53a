import type { LoggerOptions } from 'pino';

/**
 * pino's redaction for every relay logger: whatever a future log line carries (a request's
 * headers, its query), subscriber and publish tokens come out as `[redacted]`. The auth code also
 * never logs a URL, whose query may hold `?token=`.
 */
export const LOG_REDACTION: LoggerOptions['redact'] = {
  paths: [
    'token',
    '*.token',
    'authorization',
    'cookie',
    'headers.authorization',
    'headers.cookie',
    'req.headers.authorization',
    'req.headers.cookie',
    'query.token',
    'req.query.token',
  ],
  censor: '[redacted]',
};

/** `text` with the credentials of any URL in it hidden (`redis://user:pw@host` → `redis://***@host`), for logs and error messages. */
export function hideUrlCredentials(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/, '//***@');
}
