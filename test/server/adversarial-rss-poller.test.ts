import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { Metrics } from '../../server/metrics.js';
import { feedIdFor } from '../../server/sources/feed-items.js';
import { busPublisher } from '../../server/sources/publisher.js';
import { startRssPoller, type RssPoller, type RssPollerOptions } from '../../server/sources/rss-poller.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { waitUntil } from '../helpers/wait.js';
import { metricIn } from '../helpers/metrics.mjs';

/**
 * Issue 12, item 11: the RSS poller against hostile feed servers (a real local HTTP server). It
 * checked only the declared Content-Length and then buffered the whole body, decompressed; took
 * every item of a document; followed redirects without a bound; and logged URLs with credentials.
 */

const LIMIT = 256 * 1024;

/** An RSS 2.0 document with `n` dated items, `item-0` the oldest. */
function rssWithItems(n: number): string {
  const items: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString();
    items.push(`<item><title>Item ${i}</title><link>https://feed.example/${i}</link><guid>item-${i}</guid><pubDate>${date}</pubDate></item>`);
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title><link>https://feed.example/</link>${items.join('')}</channel></rss>`;
}

const PROLOGUE = '<?xml version="1.0"?><rss version="2.0"><channel><title>Bomb</title>';

/** Notes whether the server got to finish its answer or the client cut the connection first. */
function watch(res: ServerResponse, into: { cut: boolean; done: boolean }) {
  res.on('finish', () => (into.done = true));
  res.on('close', () => {
    if (!into.done) into.cut = true;
  });
}

describe('adversarial: RSS poller', () => {
  let feeds: FeedServer;
  const pollers: RssPoller[] = [];
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const start = (urls: string[], extra: Partial<RssPollerOptions> = {}) => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    const metrics = new Metrics();
    // A long timeout: a poller that waits for the whole body must show up as a failing test, not a timeout error.
    const poller = startRssPoller({ feeds: urls, pollMs: 60_000, timeoutMs: 120_000, maxBytes: LIMIT, bus, publish: busPublisher(bus), log, metrics, ...extra });
    pollers.push(poller);
    return { poller, bus, metrics };
  };
  const failures = async (metrics: Metrics, reason: string) => {
    return metricIn(await metrics.registry.metrics(), 'live_rss_poll_failures_total', { reason }) ?? 0;
  };
  before(async () => {
    feeds = await startFeedServer();
  });
  after(async () => {
    for (const p of pollers) await p.stop();
    await feeds.close();
  });

  test('a gzip bomb with a small Content-Length is cut at the limit, after decompression, and counted', async () => {
    // 64 MB of spaces inside a feed, about 64 kB compressed; the last byte is never sent, so a
    // poller that waits for the whole body before counting hangs.
    const bomb = gzipSync(Buffer.concat([Buffer.from(PROLOGUE), Buffer.alloc(64 * 1024 * 1024, ' ')]));
    const seen = { cut: false, done: false };
    feeds.serve('/bomb.xml', {
      respond: (_req, res) => {
        watch(res, seen);
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.write(bomb.subarray(0, bomb.length - 1));
      },
    });
    const { poller, metrics } = start([`${feeds.url}/bomb.xml`]);
    await waitUntil(() => poller.status()[0].failures === 1, 'the bomb to be refused');
    assert.match(poller.status()[0].lastError ?? '', new RegExp(`larger than the ${LIMIT} bytes accepted \\(RSS_MAX_BYTES, counted after decompression\\)`));
    await waitUntil(() => seen.cut, 'the poller to cut the connection');
    assert.equal(await failures(metrics, 'too_large'), 1);
    assert.ok(lines.some((l) => l.includes('rss: feed poll failed') && l.includes('RSS_MAX_BYTES')), 'the failure is logged with the limit');
  });

  test('a chunked body without a length is cut at the limit', async () => {
    const seen = { cut: false, done: false };
    const chunk = Buffer.alloc(64 * 1024, ' ');
    feeds.serve('/endless.xml', {
      respond: (_req, res) => {
        watch(res, seen);
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write(PROLOGUE);
        // Writes while the client reads, up to 64 MB, and then holds the connection open without ending it.
        let sent = 0;
        const pump = () => {
          while (!seen.cut && sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
      },
    });
    const { poller, metrics } = start([`${feeds.url}/endless.xml`]);
    await waitUntil(() => poller.status()[0].failures === 1, 'the endless body to be refused');
    assert.match(poller.status()[0].lastError ?? '', /larger than the 262144 bytes accepted .*stopped reading at \d+/);
    await waitUntil(() => seen.cut, 'the poller to cut the connection');
    assert.equal(await failures(metrics, 'too_large'), 1);
  });

  test('a document of 5,000 items appends only the newest RSS_MAX_ITEMS, and none of the older ones later', async () => {
    feeds.serve('/many.xml', { body: rssWithItems(5000) });
    const url = `${feeds.url}/many.xml`;
    const { poller, bus } = start([url], { maxItems: 50, maxBytes: 5_000_000, pollMs: 30 });
    await waitUntil(() => feeds.hits('/many.xml').requests >= 3, 'three polls');
    assert.equal(poller.status()[0].failures, 0, poller.status()[0].lastError ?? '');
    assert.equal(poller.status()[0].appended, 50);
    const items = (await bus.snapshot('rss')).items[feedIdFor(url)] as { id: string }[];
    assert.deepEqual(
      items.map((i) => i.id),
      Array.from({ length: 50 }, (_, i) => `item-${4950 + i}`),
    );
    assert.ok(lines.some((l) => l.includes('only the first 50 (the newest) are read (RSS_MAX_ITEMS)')), 'the cut is logged');
  });

  test('redirects are followed up to RSS_MAX_REDIRECTS, and the error says so', async () => {
    let loops = 0;
    feeds.serve('/loop.xml', {
      respond: (req, res) => {
        loops++;
        const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
        res.writeHead(302, { location: `/loop.xml?n=${n + 1}` }).end();
      },
    });
    const { poller, metrics } = start([`${feeds.url}/loop.xml`], { maxRedirects: 5 });
    await waitUntil(() => poller.status()[0].failures === 1, 'the redirect loop to be refused');
    assert.equal(loops, 6, 'the first request and 5 redirects');
    assert.match(poller.status()[0].lastError ?? '', /more than 5 redirects \(RSS_MAX_REDIRECTS\); the last pointed to http:\/\/127\.0\.0\.1:\d+\/loop\.xml\?n=6/);
    assert.equal(await failures(metrics, 'too_many_redirects'), 1);

    // Within the limit a moved feed is still read.
    feeds.serve('/moved.xml', { respond: (_req, res) => void res.writeHead(301, { location: '/many-small.xml' }).end() });
    feeds.serve('/many-small.xml', { body: rssWithItems(3) });
    const moved = start([`${feeds.url}/moved.xml`]);
    await waitUntil(() => moved.poller.status()[0].appended === 3, 'the moved feed to be read');
  });

  test('credentials in a feed URL are sent as Basic auth and never logged', async () => {
    const secretUrl = (path: string) => `http://reader:hunter2-secret@${feeds.url.slice('http://'.length)}${path}?access_token=tok-abc-123&page=1`;
    const authorization = `Basic ${Buffer.from('reader:hunter2-secret').toString('base64')}`;
    feeds.serve('/private.xml', { body: rssWithItems(2), authorization });
    feeds.serve('/private-broken.xml', { body: { status: 503 }, authorization });
    const before = lines.length;
    const { poller, bus } = start([secretUrl('/private.xml'), secretUrl('/private-broken.xml')]);
    await waitUntil(() => poller.status()[0].appended === 2 && poller.status()[1].failures === 1, 'the private feed read and the broken one failed');
    assert.match(poller.status()[1].lastError ?? '', /HTTP 503/);
    const logged = lines.slice(before).join('\n');
    assert.match(logged, /rss: feed poll failed/);
    assert.match(logged, /reader|\*\*\*@/);
    assert.doesNotMatch(logged, /hunter2|tok-abc-123/, logged);
    assert.doesNotMatch(JSON.stringify(poller.status()), /hunter2|tok-abc-123/);
    assert.match(poller.status()[1].url, /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private-broken\.xml\?access_token=\*\*\*&page=1$/);
    // Item links resolved against the feed URL must not carry its credentials to browsers.
    const items = (await bus.snapshot('rss')).items[feedIdFor(secretUrl('/private.xml'))] as { link: string }[];
    assert.ok(items.every((i) => !i.link.includes('hunter2')));
  });
});
