import { LiveConnection, type ConnectionOptions } from './live-connection.js';
import { relayBase } from './relay-url.js';
import type { TokenOption } from './token.js';

/** Page-wide defaults for elements outside any `<live-source>`. */
export interface LiveConfig {
  /** The relay's base URL, e.g. `https://relay.example.com`. */
  relay?: string;
  /**
   * Subscriber token for private topics: a JWT, or an async function returning a fresh one
   * (called before the stream opens, shortly before each token's `exp`, after a 401 and after the
   * relay ends a stream with `token-expired`).
   */
  token?: TokenOption;
  /** The connection worker's URL (a same-origin copy), or `false` to never use a SharedWorker. */
  worker?: string | URL | false;
  /** The relay's HEARTBEAT_MS, when it is not the default 15000. */
  heartbeatMs?: number;
}

let configured: LiveConfig = {};
const connections = new Map<string, LiveConnection>();
/** Token functions have no text form: each gets a number for the connection key. */
const functionIds = new WeakMap<object, number>();
let functionCount = 0;

/**
 * Sets the page-wide relay, token and worker (overriding the script tag's `data-relay`,
 * `data-token`, `data-worker`). Elements already connected keep their connection until they
 * resubscribe.
 */
export function configure(config: LiveConfig): void {
  configured = { ...configured, ...config };
}

/** The defaults in force: configure() over the script tag's data attributes. */
export function currentConfig(): LiveConfig {
  const tag = typeof document === 'undefined' ? null : document.querySelector<HTMLScriptElement>('script[data-relay]');
  const fromTag: LiveConfig = tag
    ? {
        relay: tag.dataset.relay,
        token: tag.dataset.token ?? null,
        worker: tag.dataset.worker === 'false' ? false : tag.dataset.worker,
      }
    : {};
  const merged = { ...fromTag };
  for (const [k, v] of Object.entries(configured)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/**
 * The page's connection to a relay (one per relay and token or token function, shared by every element), or the
 * default one when `options` is omitted. Throws an Error saying how to configure a relay when
 * none is set.
 */
export function getConnection(options?: Partial<ConnectionOptions>): LiveConnection {
  const base = currentConfig();
  const merged: ConnectionOptions = {
    relay: options?.relay ?? base.relay ?? '',
    token: options?.token !== undefined ? options.token : (base.token ?? null),
    worker: options?.worker !== undefined ? options.worker : base.worker,
    heartbeatMs: options?.heartbeatMs ?? base.heartbeatMs,
  };
  if (!merged.relay) {
    throw new Error('no relay configured: wrap the element in <live-source relay="https://…">, add data-relay="https://…" to the kit\'s script tag, or call configure({ relay })');
  }
  const relay = relayBase(merged.relay);
  const token = merged.token;
  if (typeof token === 'function' && !functionIds.has(token)) functionIds.set(token, ++functionCount);
  const tokenKey = typeof token === 'function' ? `fn:${functionIds.get(token)}` : `jwt:${token ?? ''}`;
  const key = `${relay}\n${tokenKey}\n${String(merged.worker)}`;
  let conn = connections.get(key);
  if (!conn) connections.set(key, (conn = new LiveConnection({ ...merged, relay })));
  return conn;
}
