/**
 * Returns `href` as an absolute http(s) URL string, or null for anything else (`javascript:`,
 * `data:`, relative paths, garbage). Feed links are untrusted: only these may become an `<a href>`.
 */
export function safeHttpUrl(href: unknown): string | null {
  if (typeof href !== 'string' || href.length === 0) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}
