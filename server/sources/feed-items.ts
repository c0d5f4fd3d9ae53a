import { createHash } from 'node:crypto';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { FeedItem } from '../../src/core/wire.js';


/**
 * A stable short key for a feed URL: a slug of the host and 8 hex digits of the URL's hash, e.g.
 * `blog-example-com-1a2b3c4d`. Two feeds on one host get different keys; the same URL always the same.
 */
export function feedIdFor(url: string): string {
  let host = 'feed';
  try {
    host = new URL(url).hostname;
  } catch {
    // Not a URL: the hash alone still makes it unique.
  }
  const slug = host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'feed';
  return `${slug}-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

/** The closing tag of an RSS item or an Atom entry (possibly with a namespace prefix). */
const ITEM_END = /<\/(?:[\w.-]+:)?(?:item|entry)\s*>/gi;

/**
 * The document cut after its first `maxItems` items (feeds list the newest first), so a document
 * of thousands of items costs no more to parse than one of `maxItems`: the parser's time grows
 * faster than the document. The parser accepts the unclosed rest. `cut` says whether anything was dropped.
 */
export function firstItems(xml: string, maxItems: number): { xml: string; cut: boolean } {
  ITEM_END.lastIndex = 0;
  for (let n = 0; ITEM_END.exec(xml); n++) {
    if (n + 1 === maxItems) {
      const end = ITEM_END.lastIndex;
      // The global pattern goes on from here: any further closing tag means items were dropped.
      return { xml: xml.slice(0, end), cut: ITEM_END.test(xml) };
    }
  }
  return { xml, cut: false };
}

/**
 * Parses an RSS 2.0 or Atom document into items, oldest first (feeds list newest first; items
 * are sorted by date when every item has one, else the document order is reversed).
 * Throws when the text is not a feed.
 */
export function parseFeedItems(xml: string, feedUrl: string, fetchedAt: Date): FeedItem[] {
  const feed = parseFeed(xml);
  let host = feedUrl;
  try {
    host = new URL(feedUrl).hostname;
  } catch {
    // keep the URL as the source name
  }
  const source = clean(feed.title) || host;
  const raw = feed.items.slice().reverse();
  const dated = raw.every((item) => (item.published ?? item.updated) !== null);
  const items = raw.map((item) => {
    const date = item.published ?? item.updated;
    const link = httpLink(item.url, feedUrl);
    const title = clean(item.title) || link || '(untitled)';
    const id = clean(item.id) || link || createHash('sha256').update(`${title}\n${date?.toISOString() ?? ''}`).digest('hex').slice(0, 16);
    return { id, title, link, published: (date ?? fetchedAt).toISOString(), source, time: date?.getTime() ?? 0 };
  });
  // Array.prototype.sort is stable, so items with equal dates keep their (reversed) document order.
  if (dated) items.sort((a, b) => a.time - b.time);
  return items.map(({ time: _time, ...item }) => item);
}

function clean(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** Only http(s) links travel (resolved against the feed URL); anything else becomes "". */
function httpLink(url: string | null, base: string): string {
  if (!url) return '';
  try {
    const u = new URL(url.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
  } catch {
    return '';
  }
}
