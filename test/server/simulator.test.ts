import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { SERIES_PERIODS } from '../../src/core/series-shape.js';
import type { Envelope } from '../../src/core/wire.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { MemorySeriesStore } from '../../server/series/memory-series-store.js';
import { feedIdFor } from '../../server/sources/feed-items.js';
import { busPublisher } from '../../server/sources/publisher.js';
import type { LeagueValue } from '../../server/sources/sim/leagues.js';
import { seededRandom } from '../../server/sources/sim/random.js';
import { startSimulator, type Simulator } from '../../server/sources/simulator.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { fixture, startFeedServer } from '../helpers/feed-server.js';
import { spawnRelay, type SpawnedRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';

/** The demo simulator publishes every kind through the bus, backfills history, and stops cleanly. */

const log = pino({ level: 'silent' });
const STATUSES = ['idle', 'running', 'completed', 'failed', 'degraded'];

describe('simulator', () => {
  const sims: Simulator[] = [];
  const spawned: SpawnedRelay[] = [];
  after(async () => {
    for (const s of sims) await s.stop();
    for (const r of spawned) await r.kill();
  });

  test('publishes prices, leagues, services and rss through the bus, then stops with no timer left', async () => {
    const bus = new MemoryBus({ ...TEST_BUS_OPTIONS, historySize: 10_000 });
    const store = new MemorySeriesStore({ maxAgeMs: 86_400_000, maxPoints: 10_000 });
    const seen: Envelope[] = [];
    bus.subscribe((events) => seen.push(...events));
    const sim = startSimulator({
      publish: busPublisher(bus),
      log,
      series: store,
      random: seededRandom(42),
      intervals: { prices: 10, leagues: 15, services: 10, rss: 25 },
      history: [{ spanMs: 3_600_000, stepMs: 60_000 }],
    });
    sims.push(sim);
    await sim.ready;
    const initial = seen.length;
    assert.ok(initial >= 7 + 2 + 5 + 3, `the first state of every feed is published at once (${initial} events)`);
    const count = (topic: string) => seen.slice(initial).filter((e) => e.topic === topic).length;
    await waitUntil(() => count('prices') >= 10 && count('leagues') >= 6 && count('services') >= 10 && count('rss') >= 2, 'live updates of every kind');

    // Prices: the five items, a spread, a time; and a day of history for each chart.
    const prices = (await bus.snapshot('prices')).items as Record<string, { name: string; high: number; low: number; ts: number }>;
    assert.deepEqual(Object.keys(prices).sort(), ['11802', '13190', '1513', '2', '4151', '536', '561']);
    for (const p of Object.values(prices)) {
      assert.equal(typeof p.name, 'string');
      assert.ok(p.high > p.low && p.low > 0, JSON.stringify(p));
      assert.ok(Math.abs(p.ts - Date.now() / 1000) < 60);
    }
    assert.equal(await store.count('prices', '4151'), 60, 'an hour of backfilled points, one a minute');
    const history = await store.range('prices', '4151', 0, Date.now());
    assert.ok(history.every((pt) => pt.values.high > pt.values.low));

    // Leagues: two tables of eight ranked teams; a game changes exactly two rows.
    const leagueEvents = seen.filter((e) => e.topic === 'leagues');
    const byLeague = new Map<string, LeagueValue[]>();
    for (const e of leagueEvents) byLeague.set(e.key, [...(byLeague.get(e.key) ?? []), e.data as LeagueValue]);
    assert.equal(byLeague.size, 2);
    for (const tables of byLeague.values()) {
      for (const table of tables) {
        assert.equal(table.teams.length, 8);
        assert.deepEqual(table.teams.map((t) => t.rank), [1, 2, 3, 4, 5, 6, 7, 8]);
      }
      for (let i = 1; i < tables.length; i++) {
        const played = (v: LeagueValue) => new Map(v.teams.map((t) => [t.id, t.wins + t.losses + t.ties]));
        const before = played(tables[i - 1]);
        const changed = [...played(tables[i])].filter(([id, n]) => n !== before.get(id));
        assert.equal(changed.length, 2, 'one game, two teams');
      }
    }

    // Services: valid states; running ones carry progress and counts.
    for (const e of seen.filter((x) => x.topic === 'services')) {
      const v = e.data as { status: string; progress?: number; queued?: number; processed?: number; updatedAt: string };
      assert.ok(STATUSES.includes(v.status), v.status);
      assert.ok(!Number.isNaN(Date.parse(v.updatedAt)));
      if (v.status === 'running') assert.ok(v.progress! >= 0 && v.progress! <= 100 && v.queued! >= 0 && v.processed! >= 0);
    }
    assert.ok(seen.some((e) => e.topic === 'services' && (e.data as { status: string }).status === 'running'));

    // RSS: appended to the demo key, with the item shape.
    const rss = seen.filter((e) => e.topic === 'rss');
    assert.ok(rss.every((e) => e.op === 'append' && e.key === 'demo'));
    const item = rss.at(-1)!.data as Record<string, string>;
    assert.deepEqual(Object.keys(item).sort(), ['id', 'link', 'published', 'source', 'title']);
    assert.match(item.link, /^https:\/\//);

    await sim.stop();
    const last = await bus.lastId();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await bus.lastId(), last, 'nothing is published after stop()');
  });

  test('does not backfill a series that already has points', async () => {
    const bus = new MemoryBus(TEST_BUS_OPTIONS);
    const store = new MemorySeriesStore({ maxAgeMs: 86_400_000, maxPoints: 10_000 });
    await store.record([{ topic: 'prices', key: '4151', id: 'existing', t: Date.now() - 1000, values: { high: 2, low: 1 } }]);
    const sim = startSimulator({ publish: busPublisher(bus), log, series: store, random: seededRandom(1), intervals: { prices: 1000, leagues: 1000, services: 1000, rss: 1000 }, history: [{ spanMs: 600_000, stepMs: 60_000 }] });
    sims.push(sim);
    await sim.ready;
    await sim.stop();
    assert.equal(await store.count('prices', '4151'), 1);
    assert.equal(await store.count('prices', '561'), 10);
  });

  test('npm start wiring: SIMULATE and RSS_FEEDS feed a real relay process, which exits cleanly', async () => {
    const feeds = await startFeedServer();
    try {
      feeds.serve('/wire.xml', { body: fixture('rss-1.xml'), etag: true });
      const feedUrl = `${feeds.url}/wire.xml`;
      const relay = await spawnRelay({ SIMULATE: '1', RSS_FEEDS: feedUrl, RSS_POLL_MS: '1000' });
      spawned.push(relay);
      assert.match(relay.output(), /feeds: simulator .*rss poller \(1 feed every 1000 ms\)/);
      const chart = await (await fetch(`${relay.url}/v1/series/prices/4151?period=24h&sample=true&points=200`)).json();
      assert.equal(chart.sampled, true, 'a day of backfilled history is there from the start');
      assert.ok(chart.t.length > 100 && chart.t.length <= 200);
      // Every period the chart offers opens full: a point in (nearly) every bucket of its step.
      for (const [period, { spanMs, stepMs }] of Object.entries(SERIES_PERIODS)) {
        const full = Math.min(spanMs, 395 * 86_400_000) / stepMs;
        const res = await (await fetch(`${relay.url}/v1/series/prices/4151?period=${period}`)).json();
        assert.ok(res.t.length >= full - 2 && res.t.length <= full + 2, `${period}: ${res.t.length} points for ${full} buckets`);
        assert.ok(res.t[0] <= Date.now() - Math.min(spanMs, 395 * 86_400_000) + 2 * stepMs, `${period}: the history reaches back its whole span`);
        assert.ok(res.series.high.every((h: number, i: number) => h > res.series.low[i]), `${period}: high above low in every bucket`);
      }
      await waitUntil(async () => {
        const snap = await (await fetch(`${relay.url}/v1/topics/rss`)).json();
        return Array.isArray(snap.items[feedIdFor(feedUrl)]) && Array.isArray(snap.items.demo);
      }, 'both the demo headlines and the polled feed in topic rss');
      const leagues = await (await fetch(`${relay.url}/v1/topics/leagues`)).json();
      assert.deepEqual(Object.keys(leagues.items).sort(), ['premier', 'summit'], 'the keys the demo pages show');
      assert.equal(await relay.stop(), 0, 'SIGTERM stops the feeds and the relay exits 0');
    } finally {
      await feeds.close();
    }
  });
});
