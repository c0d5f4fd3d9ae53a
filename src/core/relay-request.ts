import type { ErrorBody } from './wire.js';
import type { LiveError } from './status.js';

/** How the kit's stream and the chart's history ask the relay, and read its refusals. */


/** The headers of a request to the relay: what it accepts, and the reader's token when there is one. */
export function relayHeaders(accept: string, token: string | null | undefined): Record<string, string> {
  const headers: Record<string, string> = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/**
 * The relay's JSON error, or a message built from the status, and the selectors a 403 names.
 * `renewed`: the token function's fresh token was refused too.
 */
export async function relayError(res: Response, renewed = false): Promise<{ error: LiveError; selectors?: string[] }> {
  let body: Partial<ErrorBody> | null = null;
  try {
    body = (await res.json()) as Partial<ErrorBody>;
  } catch {
    // not JSON: fall back to the status below
  }
  const code = body?.error?.code ?? `http_${res.status}`;
  const detail = body?.error?.message ?? res.statusText;
  const hint =
    res.status === 401 ? ` (check the token ${renewed ? 'function ' : ''}given to <live-source token> or configure({token})${renewed ? ': its fresh token was refused too' : ''})`
    : res.status === 403 ? ' (the token does not allow these topics)'
    : res.status === 404 ? ' (check the relay URL: it should be the relay\'s base URL, without /v1)'
    : '';
  const selectors = body?.error?.selectors;
  return { error: { code, message: `the relay answered ${res.status}: ${detail}${hint}` }, selectors: Array.isArray(selectors) ? selectors : undefined };
}
