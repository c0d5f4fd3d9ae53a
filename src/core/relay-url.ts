/**
 * A relay's base URL as every request is built on it: absolute (resolved against the page, so
 * `data-relay="/"` works on a page the relay serves) and without a trailing slash, so that
 * `${relayBase(r)}/v1/…` is right whichever way the page wrote it. One rule for the connection's
 * key, the stream, the leader election's name and the chart's history.
 */
export function relayBase(relay: string): string {
  return new URL(relay, typeof location === 'undefined' ? undefined : location.href).href.replace(/\/+$/, '');
}
