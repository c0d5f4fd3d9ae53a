/**
 * Fetching one feed document from a server the relay does not control: redirects are followed by
 * hand and counted, the body is read as a stream and cut at a byte limit counted after
 * decompression (a gzip bomb declares a small Content-Length, a chunked body declares none), and
 * credentials in the feed URL are sent as Basic auth but never logged.
 */

/** Why a feed fetch failed, as the `reason` label of `live_rss_poll_failures_total`. */
export type FeedFailureReason = 'too_large' | 'too_many_redirects' | 'http_status' | 'not_a_feed' | 'network' | 'bus';

/** A failed fetch (or parse) whose message names the limit or the status, with credentials redacted. */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  constructor(
    message: string,
    readonly reason: FeedFailureReason,
  ) {
    super(redactUrls(message));
  }
}

export interface FeedFetchOptions {
  /** Validators of the last document read, sent as a conditional GET. */
  etag: string | null;
  lastModified: string | null;
  /** Largest document accepted, in bytes after decompression (`RSS_MAX_BYTES`). */
  maxBytes: number;
  /** Most redirects followed (`RSS_MAX_REDIRECTS`). */
  maxRedirects: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** A document read whole (status 200), or `null` content when the server answered 304. */
export interface FeedDocument {
  text: string | null;
  etag: string | null;
  lastModified: string | null;
}

const ACCEPT = 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches one feed document within the limits; throws {@link FeedFetchError}. */
export async function fetchFeed(feedUrl: string, options: FeedFetchOptions): Promise<FeedDocument> {
  const { maxBytes, maxRedirects } = options;
  // fetch refuses URLs with credentials: they become an Authorization header for that origin only.
  let url = new URL(feedUrl);
  const credentials = url.username || url.password ? { origin: url.origin, header: basicAuth(url) } : null;
  url.username = '';
  url.password = '';
  const cut = new AbortController();
  const signal = AbortSignal.any([options.signal, cut.signal, AbortSignal.timeout(options.timeoutMs)]);

  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = { accept: ACCEPT };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    if (credentials && url.origin === credentials.origin) headers.authorization = credentials.header;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal, redirect: 'manual' });
    } catch (err) {
      throw new FeedFetchError(`cannot fetch ${url.href}: ${causeOf(err)}`, 'network');
    }
    const location = res.headers.get('location');
    if (REDIRECTS.has(res.status) && location !== null) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (redirects >= maxRedirects) {
        throw new FeedFetchError(`more than ${maxRedirects} redirects (RSS_MAX_REDIRECTS); the last pointed to ${next.href}`, 'too_many_redirects');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new FeedFetchError(`a redirect pointed to ${next.protocol} (only http and https are followed)`, 'too_many_redirects');
      }
      url = next;
      continue;
    }
    if (res.status === 304) {
      await res.body?.cancel();
      return { text: null, etag: options.etag, lastModified: options.lastModified };
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FeedFetchError(`HTTP ${res.status} ${res.statusText}`.trim(), 'http_status');
    }
    const text = await readLimited(res, maxBytes, cut);
    return { text, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
  }
}

/** Reads the (decompressed) body as UTF-8, stopping the transfer as soon as it passes `maxBytes`. */
async function readLimited(res: Response, maxBytes: number, cut: AbortController): Promise<string> {
  const tooLarge = (bytes: string) => new FeedFetchError(`the feed is larger than the ${maxBytes} bytes accepted (RSS_MAX_BYTES, counted after decompression): ${bytes}`, 'too_large');
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    cut.abort();
    throw tooLarge(`it declares ${declared}`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        cut.abort();
        throw tooLarge(`stopped reading at ${bytes}`);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (err instanceof FeedFetchError) throw err;
    throw new FeedFetchError(`the transfer broke off: ${causeOf(err)}`, 'network');
  } finally {
    reader.releaseLock();
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The URL without its `user:password@` part (a base to resolve item links against, which browsers see). */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url;
  }
}

function basicAuth(url: URL): string {
  return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
}

/** fetch hides the useful part of a network error in `cause`. */
function causeOf(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ? `${e.message} (${e.cause.message})` : e.message;
}

/** Query parameters whose value is a secret by their name: `token`, `api_key`, `X-Amz-Signature`... */
const SECRET_PARAM = /([?&][^=&#\s]*(?:token|key|secret|pass|auth|sig|session|credential)[^=&#\s]*=)[^&#\s]*/gi;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * The text with the credentials of every URL in it replaced by `***`: the `user:password@` part
 * and the values of token-like query parameters. For logs and error messages.
 */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(SECRET_PARAM, '$1***');
}
