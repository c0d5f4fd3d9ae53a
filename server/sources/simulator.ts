import type { Logger } from 'pino';
import { SERIES_PERIODS } from '../../src/core/series-shape.js';
import type { AppendInput } from '../bus/bus.js';
import type { SeriesPoint, SeriesStore } from '../series/series-store.js';
import type { Publish } from './publisher.js';
import { GameBoard } from './sim/games.js';
import { LeagueTable } from './sim/leagues.js';
import { NewsWire } from './sim/news.js';
import { PriceWalk, type HistoryTier } from './sim/prices.js';
import { pick, type Random } from './sim/random.js';
import { ServiceBoard } from './sim/services.js';
import { TradeTape } from './sim/trades.js';

/** How often each demo feed changes, in ms. */
export interface SimulatorIntervals {
  prices: number;
  trades: number;
  games: number;
  leagues: number;
  services: number;
  rss: number;
}

export const DEFAULT_INTERVALS: SimulatorIntervals = { prices: 1000, trades: 700, games: 3000, leagues: 4000, services: 1500, rss: 20_000 };

/**
 * The backfilled price history: for each chart period, two points per bucket of its step (so the
 * high/low of a bucket is a real range), back to its span; `all` reaches past `1y` to 395 days,
 * inside the default SERIES_RETENTION_MS (400 days). About 2,900 points per item.
 */
export const HISTORY_TIERS: readonly HistoryTier[] = [
  ...(['1h', '24h', '7d', '30d', '90d', '1y'] as const).map((p) => ({ spanMs: SERIES_PERIODS[p].spanMs, stepMs: SERIES_PERIODS[p].stepMs / 2 })),
  { spanMs: 395 * 86_400_000, stepMs: SERIES_PERIODS.all.stepMs / 2 },
];

/** The key of topic `rss` the simulator's headlines go to. */
export const DEMO_FEED_KEY = 'demo';

export interface SimulatorOptions {
  publish: Publish;
  log: Logger;
  /** Where price history for every chart period is backfilled at start (only into empty series). */
  series?: SeriesStore;
  random?: Random;
  now?: () => number;
  intervals?: Partial<SimulatorIntervals>;
  /**
   * Whether this process may publish now (default: always). With several relays on one Redis, a
   * lease makes one of them the simulator; a relay that takes over publishes its whole state first.
   */
  leader?: () => boolean;
  /** The backfilled history's layers, spans ascending (default {@link HISTORY_TIERS}: every chart period full). */
  history?: readonly HistoryTier[];
}

export interface Simulator {
  /** Resolves when the first state of every feed is published and the history is backfilled (at once when not the leader). */
  readonly ready: Promise<void>;
  /** Stops every timer and waits for publishes in flight; nothing is published afterwards. */
  stop(): Promise<void>;
}

/**
 * The demo feeds (`SIMULATE`): prices (random walk), trades (a tape of stock trades), games
 * (scheduled, live with period and clock, final), league tables changed by games, background
 * services moving through their states, and headlines on `rss/demo`. Everything goes through
 * `publish`, the same bus path as the publish route and the webhooks.
 */
export function startSimulator(options: SimulatorOptions): Simulator {
  const { publish, log } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const intervals = { ...DEFAULT_INTERVALS, ...options.intervals };
  const prices = new PriceWalk(random);
  const leagues = new LeagueTable(random);
  const services = new ServiceBoard(random);
  const news = new NewsWire(random);
  const trades = new TradeTape(random);
  const games = new GameBoard(random, now());
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let failing = false;

  const send = (inputs: AppendInput[]): Promise<void> => {
    if (stopped || inputs.length === 0) return Promise.resolve();
    const p = publish(inputs).then(
      () => {
        if (failing) log.info('simulator: publishing again');
        failing = false;
      },
      (err: Error) => {
        // Logged once per outage, not once per tick.
        if (!failing) log.warn({ err: err.message }, 'simulator: publish failed; will keep trying');
        failing = true;
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const priceInput = (id: string, t: number): AppendInput => ({ topic: 'prices', key: id, op: 'upsert', data: prices.step(id, t) });
  const leagueInput = (id: string, t: number): AppendInput => ({ topic: 'leagues', key: id, op: 'upsert', data: leagues.value(id, t) });
  const serviceInput = (id: string, t: number): AppendInput => ({ topic: 'services', key: id, op: 'upsert', data: services.value(id, t) });
  const tradeInput = (symbol: string, t: number): AppendInput => ({ topic: 'trades', key: symbol, op: 'upsert', data: trades.value(symbol, t) });
  const gameInput = (id: string): AppendInput => ({ topic: 'games', key: id, op: 'upsert', data: games.value(id) });
  const newsInput = (t: number): AppendInput => ({ topic: 'rss', key: DEMO_FEED_KEY, op: 'append', data: news.next(t) });

  /** Backfills history and publishes every feed's whole state: at start, and when taking over as leader. */
  async function announce(): Promise<void> {
    const t = now();
    if (options.series) {
      await backfill(options.series, t).catch((err: Error) => {
        log.warn({ err: err.message }, 'simulator: could not backfill the price history; charts start empty');
      });
    }
    await send([
      ...prices.ids.map((id) => ({ topic: 'prices', key: id, op: 'upsert' as const, data: prices.value(id, t) })),
      ...leagues.ids.map((id) => leagueInput(id, t)),
      ...services.ids.map((id) => serviceInput(id, t)),
      ...trades.ids.map((symbol) => tradeInput(symbol, t)),
      ...games.ids.map((id) => gameInput(id)),
      ...[3, 2, 1].map((ago) => newsInput(t - ago * intervals.rss)),
    ]);
  }

  const leader = options.leader ?? (() => true);
  let phase: 'follower' | 'announcing' | 'leading' = 'follower';
  let announcing: Promise<void> = Promise.resolve();
  /** True when this tick may publish; starts the announcement when leadership was just gained. */
  function leading(): boolean {
    if (stopped) return false;
    if (!leader()) {
      phase = 'follower';
      return false;
    }
    if (phase === 'follower') {
      phase = 'announcing';
      announcing = announce().then(() => {
        if (phase === 'announcing') phase = 'leading';
      });
      return false;
    }
    return phase === 'leading';
  }

  function every(ms: number, tick: () => Promise<void>): void {
    timers.push(setInterval(() => void (leading() && tick()), ms));
  }

  every(intervals.prices, () => {
    const t1 = now();
    // A few items per tick, so each chart moves every few seconds, not all in lockstep.
    const ids = new Set([pick(random, prices.ids), pick(random, prices.ids), pick(random, prices.ids)]);
    return send([...ids].map((id) => priceInput(id, t1)));
  });
  every(intervals.leagues, () => send([leagueInput(leagues.playGame(), now())]));
  every(intervals.services, () => {
    const t1 = now();
    return send(services.tick().map((id) => serviceInput(id, t1)));
  });
  every(intervals.rss, () => send([newsInput(now())]));
  every(intervals.trades, () => {
    const t1 = now();
    return send([tradeInput(trades.trade(), t1)]);
  });
  every(intervals.games, () => send(games.tick(now()).map((id) => gameInput(id))));

  /** Writes a history ending at today's prices into empty series, so every chart period opens full. */
  async function backfill(store: SeriesStore, t: number): Promise<void> {
    const tiers = options.history ?? HISTORY_TIERS;
    for (const id of prices.ids) {
      if ((await store.count('prices', id)) > 0) continue;
      const points: SeriesPoint[] = prices.history(id, t - tiers[0].stepMs, tiers).map(({ t: pt, value }) => ({ topic: 'prices', key: id, id: `sim-${pt}`, t: pt, values: { high: value.high, low: value.low } }));
      await store.record(points);
    }
  }

  leading();
  const ready = announcing;

  return {
    ready,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      await announcing;
      await Promise.all([...inFlight]);
    },
  };
}
