import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppendInput, Bus } from '../bus/bus.js';
import type { Metrics } from '../metrics.js';
import { FeedFetchError, fetchFeed, redactUrls, withoutCredentials } from './feed-fetch.js';
import type { FeedItem } from '../../src/core/wire.js';
import { feedIdFor, firstItems, parseFeedItems } from './feed-items.js';
import type { Publish } from './publisher.js';

/** The topic RSS items are appended to, one key per feed. */
export const RSS_TOPIC = 'rss';

export interface RssPollerOptions {
  /** Feed URLs (`RSS_FEEDS`). */
  feeds: readonly string[];
  /** Time between polls of a healthy feed (`RSS_POLL_MS`). */
  pollMs: number;
  /** Read once per feed at start, so items already in the log are not appended again after a restart. */
  bus: Pick<Bus, 'snapshot'>;
  publish: Publish;
  log: Logger;
  /** Longest wait between retries of a failing feed (default: one hour, at least `pollMs`). */
  maxBackoffMs?: number;
  /** How many item ids are remembered per feed (at least twice the feed's length is kept anyway). */
  seenLimit?: number;
  /** Abort a request after this long (default 15 s). */
  timeoutMs?: number;
  /** Largest accepted feed document, in bytes after decompression (`RSS_MAX_BYTES`, default 5 MB). */
  maxBytes?: number;
  /** Most items read from one document, the first (newest) ones (`RSS_MAX_ITEMS`, default 100); the rest are ignored. */
  maxItems?: number;
  /** Most redirects followed per poll (`RSS_MAX_REDIRECTS`, default 5). */
  maxRedirects?: number;
  /** Where failed polls are counted, by reason (`live_rss_poll_failures_total`; `bus`: the append failed). */
  metrics?: Pick<Metrics, 'rssPollFailures'>;
}

/** One feed's polling state, for the log and for tests. */
export interface FeedStatus {
  /** The feed URL with its credentials redacted. */
  url: string;
  /** The key of topic `rss` its items go to. */
  id: string;
  polls: number;
  /** Consecutive failures; 0 when the last poll worked. */
  failures: number;
  lastError: string | null;
  /** The wait before the next poll, in ms. */
  nextDelayMs: number;
  /** Items appended so far. */
  appended: number;
}

export interface RssPoller {
  /** Every feed's state. */
  status(): FeedStatus[];
  /** Stops every timer and request; resolves when nothing is in flight. */
  stop(): Promise<void>;
}

interface Feed extends FeedStatus {
  /** The URL as configured, credentials included: fetched, never logged. */
  href: string;
  etag: string | null;
  lastModified: string | null;
  /** item id → true, in the order last seen (oldest first), bounded. */
  seen: Map<string, true>;
  seeded: boolean;
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
}

/**
 * Polls each feed on its own timer with conditional GETs (ETag / Last-Modified), parses RSS 2.0 and
 * Atom, and appends items it has not seen to topic `rss`, oldest first, key = the feed's id. A feed
 * that fails is logged and retried with exponential backoff; the others keep their pace. Items are
 * also deduplicated by the bus (dedupe key per feed and item), so relays polling the same feed, or
 * one restarting, do not append an item twice.
 */
export function startRssPoller(options: RssPollerOptions): RssPoller {
  const { pollMs, log, publish } = options;
  const maxBackoffMs = Math.max(options.maxBackoffMs ?? 3_600_000, pollMs);
  const seenLimit = options.seenLimit ?? 1000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 5_000_000;
  const maxItems = options.maxItems ?? 100;
  const maxRedirects = options.maxRedirects ?? 5;
  const stopping = new AbortController();

  const feeds: Feed[] = [...new Set(options.feeds)].map((url) => ({
    url: redactUrls(url),
    href: url,
    id: feedIdFor(url),
    polls: 0,
    failures: 0,
    lastError: null,
    nextDelayMs: pollMs,
    appended: 0,
    etag: null,
    lastModified: null,
    seen: new Map(),
    seeded: false,
    timer: null,
    inFlight: null,
  }));

  const schedule = (feed: Feed, delay: number) => {
    if (stopping.signal.aborted) return;
    feed.timer = setTimeout(() => {
      feed.timer = null;
      feed.inFlight = pollFeed(feed).finally(() => {
        feed.inFlight = null;
        schedule(feed, feed.nextDelayMs);
      });
    }, delay);
  };

  async function pollFeed(feed: Feed): Promise<void> {
    feed.polls++;
    try {
      if (!feed.seeded) await seed(feed);
      await fetchAndAppend(feed);
      feed.failures = 0;
      feed.lastError = null;
      feed.nextDelayMs = pollMs;
    } catch (err) {
      if (stopping.signal.aborted) return;
      feed.failures++;
      feed.lastError = redactUrls((err as Error).message);
      feed.nextDelayMs = Math.min(pollMs * 2 ** feed.failures, maxBackoffMs);
      options.metrics?.rssPollFailures.inc({ reason: err instanceof FeedFetchError ? err.reason : 'bus' });
      log.warn({ feed: feed.url, failures: feed.failures, retryInMs: feed.nextDelayMs, err: feed.lastError }, 'rss: feed poll failed; backing off');
    }
  }

  /** Remembers the items the log already holds for this feed. */
  async function seed(feed: Feed): Promise<void> {
    const snap = await options.bus.snapshot(RSS_TOPIC, [feed.id]);
    const list = snap.items[feed.id];
    if (Array.isArray(list)) {
      for (const item of list) {
        const id = (item as { id?: unknown } | null)?.id;
        if (typeof id === 'string') feed.seen.set(id, true);
      }
    }
    feed.seeded = true;
  }

  async function fetchAndAppend(feed: Feed): Promise<void> {
    const doc = await fetchFeed(feed.href, { etag: feed.etag, lastModified: feed.lastModified, maxBytes, maxRedirects, timeoutMs, signal: stopping.signal });
    if (doc.text === null) return;
    const { xml, cut } = firstItems(doc.text, maxItems);
    if (cut) {
      log.warn({ feed: feed.url, taken: maxItems }, `rss: the feed lists more than ${maxItems} items; only the first ${maxItems} (the newest) are read (RSS_MAX_ITEMS)`);
    }
    let items: FeedItem[];
    try {
      items = parseFeedItems(xml, withoutCredentials(feed.href), new Date());
    } catch (err) {
      throw new FeedFetchError(`not an RSS or Atom feed: ${(err as Error).message}`, 'not_a_feed');
    }
    const fresh = items.filter((item) => !feed.seen.has(item.id));
    if (fresh.length) {
      const inputs: AppendInput[] = fresh.map((item) => ({
        topic: RSS_TOPIC,
        key: feed.id,
        op: 'append',
        data: item,
        dedupeKey: `rss:${feed.id}:${createHash('sha256').update(item.id).digest('hex').slice(0, 24)}`,
      }));
      const result = await publish(inputs);
      feed.appended += result.events.length;
    }
    // Validators are kept only after the items are in the log: a failed append must refetch them.
    feed.etag = doc.etag;
    feed.lastModified = doc.lastModified;
    remember(feed, items);
  }

  /** Items still in the feed move to the young end, so they are never the ones forgotten. */
  function remember(feed: Feed, items: readonly FeedItem[]): void {
    for (const item of items) {
      feed.seen.delete(item.id);
      feed.seen.set(item.id, true);
    }
    const limit = Math.max(seenLimit, items.length * 2);
    for (const id of feed.seen.keys()) {
      if (feed.seen.size <= limit) break;
      feed.seen.delete(id);
    }
  }

  for (const feed of feeds) schedule(feed, 0);

  return {
    status: () => feeds.map(({ url, id, polls, failures, lastError, nextDelayMs, appended }) => ({ url, id, polls, failures, lastError, nextDelayMs, appended })),
    async stop() {
      stopping.abort();
      for (const feed of feeds) {
        if (feed.timer) clearTimeout(feed.timer);
        feed.timer = null;
      }
      await Promise.all(feeds.map((f) => f.inFlight));
    },
  };
}
