import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Envelope } from '../../src/core/wire.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busPublisher } from '../../server/sources/publisher.js';
import { GameBoard, type GameValue } from '../../server/sources/sim/games.js';
import { seededRandom } from '../../server/sources/sim/random.js';
import { TradeTape, type TradeValue } from '../../server/sources/sim/trades.js';
import { startSimulator } from '../../server/sources/simulator.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { waitUntil } from '../helpers/wait.js';

/** The simulator's `trades` and `games` feeds, which the ticker shows: believable and moving. */

describe('simulator: trades and games', () => {
  test('trades: prices near the open, change and change % consistent with it', () => {
    const tape = new TradeTape(seededRandom(7));
    for (let i = 0; i < 2000; i++) tape.trade();
    for (const symbol of tape.ids) {
      const v: TradeValue = tape.value(symbol, Date.now());
      const open = v.price - v.change;
      assert.ok(v.price > 0 && Math.abs(v.change / open) < 0.25, `${symbol} stays within a believable day: ${JSON.stringify(v)}`);
      assert.ok(Math.abs(v.changePercent - (v.change / open) * 100) < 0.02, `${symbol}: change % matches change: ${JSON.stringify(v)}`);
      assert.equal(Math.round(v.price * 100) / 100, v.price, 'prices in cents');
    }
  });

  test('games: scheduled → live (period, clock, scores only growing) → final, then a new matchup', () => {
    const board = new GameBoard(seededRandom(3), Date.parse('2026-12-02T12:00:00Z'));
    const seen = new Map<string, Set<GameValue['status']>>();
    let t = Date.parse('2026-12-02T12:00:00Z');
    const last = new Map(board.ids.map((id) => [id, board.value(id)]));
    assert.deepEqual(new Set(board.ids.map((id) => board.value(id).status)), new Set(['scheduled', 'live', 'final']), 'the demo opens with a mix');
    for (let i = 0; i < 400; i++) {
      t += 3000;
      for (const id of board.tick(t)) {
        const v = board.value(id);
        const before = last.get(id)!;
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)!.add(v.status);
        assert.notEqual(v.home.abbr, v.away.abbr, 'a team does not play itself');
        if (v.status === 'live') {
          assert.match(v.period ?? '', /^(Q[1-4]|OT)$/);
          assert.match(v.clock ?? '', /^\d{1,2}:\d\d$/);
          if (before.status === 'live') assert.ok(v.home.score >= before.home.score && v.away.score >= before.away.score, 'scores only grow');
        }
        if (v.status === 'final') assert.notEqual(v.home.score, v.away.score, 'a final has a winner');
        last.set(id, v);
      }
    }
    for (const id of board.ids) assert.deepEqual(seen.get(id), new Set(['scheduled', 'live', 'final']), `game ${id} went through every status`);
  });

  test('the simulator publishes trades and games through the bus', async () => {
    const bus = new MemoryBus({ ...TEST_BUS_OPTIONS, historySize: 10_000 });
    const seen: Envelope[] = [];
    bus.subscribe((events) => seen.push(...events));
    const sim = startSimulator({
      publish: busPublisher(bus),
      log: pino({ level: 'silent' }),
      random: seededRandom(1),
      intervals: { prices: 1000, leagues: 1000, services: 1000, rss: 1000, trades: 10, games: 10 },
    });
    try {
      await sim.ready;
      const trades = (await bus.snapshot('trades')).items as Record<string, TradeValue>;
      assert.deepEqual(Object.keys(trades).sort(), ['AAPL', 'AMZN', 'GOOGL', 'JPM', 'KO', 'MSFT', 'NVDA', 'TSLA']);
      assert.equal(Object.keys((await bus.snapshot('games')).items).length, 6);
      const initial = seen.length;
      await waitUntil(() => seen.slice(initial).filter((e) => e.topic === 'trades').length >= 10 && seen.slice(initial).some((e) => e.topic === 'games'), 'live trades and games');
    } finally {
      await sim.stop();
    }
  });
});
