import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { feedIdFor } from '../../server/sources/feed-items.js';
import { busPublisher } from '../../server/sources/publisher.js';
import { startRssPoller, type RssPoller } from '../../server/sources/rss-poller.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { fixture, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { waitUntil } from '../helpers/wait.js';

/** The RSS poller against fixture feeds served by a local HTTP server. */

const log = pino({ level: 'silent' });

describe('RSS poller', () => {
  let feeds: FeedServer;
  const pollers: RssPoller[] = [];
  const start = (bus: MemoryBus, urls: string[], pollMs: number, maxBackoffMs?: number) => {
    const p = startRssPoller({ feeds: urls, pollMs, maxBackoffMs, bus, publish: busPublisher(bus), log });
    pollers.push(p);
    return p;
  };
  before(async () => {
    feeds = await startFeedServer();
  });
  after(async () => {
    for (const p of pollers) await p.stop();
    await feeds.close();
  });

  test('feed ids are short, stable and differ per URL', () => {
    const a = feedIdFor('https://News.Example.com/feed.xml');
    assert.match(a, /^news-example-com-[0-9a-f]{8}$/);
    assert.equal(feedIdFor('https://News.Example.com/feed.xml'), a);
    assert.notEqual(feedIdFor('https://news.example.com/other.xml'), a);
  });

  test('RSS 2.0: items are appended oldest first, once; ETag makes unchanged polls 304', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    feeds.serve('/gazette.xml', { body: fixture('rss-1.xml'), etag: true });
    const url = `${feeds.url}/gazette.xml`;
    const id = feedIdFor(url);
    const poller = start(bus, [url], 30);
    await waitUntil(() => feeds.hits('/gazette.xml').notModified >= 2, 'two conditional polls answered 304');
    assert.match(feeds.hits('/gazette.xml').lastConditional.ifNoneMatch ?? '', /^"[0-9a-f]{16}"$/);
    let items = (await bus.snapshot('rss')).items[id] as any[];
    assert.deepEqual(items.map((i) => i.id), ['gazette-1', 'gazette-2', 'gazette-3']);
    assert.deepEqual(items[1], { id: 'gazette-2', title: 'Second story & more', link: 'https://gazette.example/2', published: '2026-11-23T08:20:00.000Z', source: 'Harbor Gazette' });

    feeds.serve('/gazette.xml', { body: fixture('rss-2.xml'), etag: true });
    await waitUntil(() => poller.status()[0].appended === 5, 'the two new items to be appended');
    const notModifiedBefore = feeds.hits('/gazette.xml').notModified;
    await waitUntil(() => feeds.hits('/gazette.xml').notModified >= notModifiedBefore + 2, 'the new document to be polled again (304)');
    items = (await bus.snapshot('rss')).items[id] as any[];
    assert.deepEqual(items.map((i) => i.id), ['gazette-1', 'gazette-2', 'gazette-3', 'gazette-4', 'gazette-5']);
    assert.equal(items[3].link, '', 'a javascript: link is dropped');
    const log = await bus.readSince('0-0', [{ topic: 'rss' }]);
    assert.ok(log.ok);
    assert.equal(log.events.length, 5, 'each item appended exactly once');
    assert.ok(log.events.every((e) => e.op === 'append' && e.key === id));
  });

  test('Atom: Last-Modified makes unchanged polls conditional; relative links resolve against the feed site', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    const lastModified = 'Mon, 23 Nov 2026 08:00:00 GMT';
    feeds.serve('/notes.atom', { body: fixture('atom-1.xml'), lastModified });
    const url = `${feeds.url}/notes.atom`;
    start(bus, [url], 30);
    await waitUntil(() => feeds.hits('/notes.atom').notModified >= 1, 'a poll answered 304');
    assert.equal(feeds.hits('/notes.atom').lastConditional.ifModifiedSince, lastModified);
    const items = (await bus.snapshot('rss')).items[feedIdFor(url)] as any[];
    assert.deepEqual(
      items.map((i) => [i.title, i.link, i.source]),
      [
        ['Welcome', 'https://notes.example/welcome', 'Summit Notes'],
        ['Trail report: the high pass is open', 'https://notes.example/trail-report', 'Summit Notes'],
      ],
    );
  });

  test('a broken feed backs off exponentially while another keeps its pace, and recovers', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    feeds.serve('/good.xml', { body: fixture('rss-1.xml') });
    feeds.serve('/broken.xml', { body: { status: 500 } });
    const pollMs = 40;
    const poller = start(bus, [`${feeds.url}/good.xml`, `${feeds.url}/broken.xml`], pollMs, 320);
    await waitUntil(() => feeds.hits('/good.xml').requests >= 12, 'the good feed to be polled 12 times', 15_000);
    const [good, broken] = poller.status();
    assert.equal(good.failures, 0);
    assert.equal(good.appended, 3);
    assert.ok(broken.failures >= 3, `broken failed ${broken.failures} times`);
    assert.match(broken.lastError ?? '', /HTTP 500/);
    assert.equal(broken.nextDelayMs, Math.min(pollMs * 2 ** broken.failures, 320), 'the delay doubles per failure up to the cap');
    assert.ok(feeds.hits('/broken.xml').requests < feeds.hits('/good.xml').requests / 2, `broken polled ${feeds.hits('/broken.xml').requests} times, good ${feeds.hits('/good.xml').requests}`);

    feeds.serve('/broken.xml', { body: fixture('atom-1.xml') });
    await waitUntil(() => poller.status()[1].failures === 0 && poller.status()[1].appended === 2, 'the repaired feed to be read', 15_000);
    assert.equal(poller.status()[1].nextDelayMs, pollMs);
  });

  test('a document that is not a feed counts as a failure', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    feeds.serve('/html.xml', { body: '<html><body>not a feed</body></html>' });
    const poller = start(bus, [`${feeds.url}/html.xml`], 30, 60);
    await waitUntil(() => poller.status()[0].failures >= 1, 'a failure');
    assert.match(poller.status()[0].lastError ?? '', /not an RSS or Atom feed/);
    assert.equal(await bus.lastId(), null);
  });

  test('after a restart, items already in the log are not appended again', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    feeds.serve('/restart.xml', { body: fixture('rss-1.xml') });
    const url = `${feeds.url}/restart.xml`;
    const first = start(bus, [url], 30);
    await waitUntil(() => first.status()[0].appended === 3, 'the first poller to append');
    await first.stop();
    const requests = feeds.hits('/restart.xml').requests;
    const second = start(bus, [url], 30);
    await waitUntil(() => feeds.hits('/restart.xml').requests >= requests + 2, 'the second poller to poll twice');
    assert.equal(second.status()[0].appended, 0);
    const log = await bus.readSince('0-0', [{ topic: 'rss' }]);
    assert.ok(log.ok);
    assert.equal(log.events.length, 3);
  });

  test('stop() leaves no timer: no request after it', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    feeds.serve('/stop.xml', { body: fixture('rss-1.xml') });
    const poller = start(bus, [`${feeds.url}/stop.xml`], 20);
    await waitUntil(() => feeds.hits('/stop.xml').requests >= 2, 'two polls');
    await poller.stop();
    const n = feeds.hits('/stop.xml').requests;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(feeds.hits('/stop.xml').requests, n);
  });
});
