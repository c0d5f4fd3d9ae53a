import { pick, randomInt, type Random } from './random.js';

/** One side of a game. */
export interface GameTeam {
  name: string;
  /** Short name (`BOS`). */
  abbr: string;
  score: number;
}

/** The value of a `games` key (the game id). */
export interface GameValue {
  league: string;
  home: GameTeam;
  away: GameTeam;
  status: 'scheduled' | 'live' | 'final';
  /** ISO time of the kick-off / tip-off. */
  startsAt: string;
  /** While live: `Q1`–`Q4`, `OT`. */
  period?: string;
  /** While live: time left in the period, `m:ss`. */
  clock?: string;
  updatedAt: string;
}

interface Sport {
  league: string;
  teams: ReadonlyArray<[string, string]>;
  /** Points a score adds, picked at random. */
  scores: readonly number[];
  /** Seconds in a period. */
  periodSeconds: number;
}

const SPORTS: readonly Sport[] = [
  {
    league: 'NFL',
    teams: [['Kansas City', 'KC'], ['Buffalo', 'BUF'], ['Philadelphia', 'PHI'], ['Detroit', 'DET'], ['Baltimore', 'BAL'], ['San Francisco', 'SF']],
    scores: [3, 7, 7, 6, 2],
    periodSeconds: 900,
  },
  {
    league: 'NBA',
    teams: [['Boston', 'BOS'], ['Denver', 'DEN'], ['Milwaukee', 'MIL'], ['Phoenix', 'PHX'], ['New York', 'NY'], ['Golden State', 'GS']],
    scores: [2, 2, 2, 3, 1],
    periodSeconds: 720,
  },
];

interface Game {
  id: string;
  sport: Sport;
  value: GameValue;
  /** Seconds left in the period while live; ticks before kick-off while scheduled; ticks to stay final. */
  left: number;
}

/** Simulated seconds of game time per tick, so a game plays out in a few demo minutes. */
const GAME_SECONDS_PER_TICK = 45;
const PERIODS = ['Q1', 'Q2', 'Q3', 'Q4'];

/**
 * Six games (three per league) cycling scheduled → live (periods, clock, scores) → final, then a
 * new matchup is scheduled in the same slot.
 */
export class GameBoard {
  private readonly games: Game[] = [];

  constructor(
    private readonly random: Random,
    now: number = Date.now(),
  ) {
    for (const [i, sport] of [SPORTS[0], SPORTS[0], SPORTS[0], SPORTS[1], SPORTS[1], SPORTS[1]].entries()) {
      const g = this.schedule(`${sport.league.toLowerCase()}-${i % 3 + 1}`, sport, now, i);
      // Start the demo with a mix: one live, one final, the rest scheduled.
      if (i % 3 === 0) this.kickOff(g, now);
      if (i % 3 === 1) this.finish(g, now);
      this.games.push(g);
    }
  }

  /** The game ids, in a fixed order. */
  get ids(): string[] {
    return this.games.map((g) => g.id);
  }

  /** The current value of game `id`. */
  value(id: string): GameValue {
    return this.games.find((g) => g.id === id)!.value;
  }

  /** Advances every game by one tick; returns the ids whose value changed. */
  tick(t: number): string[] {
    const changed: string[] = [];
    for (const g of this.games) {
      if (this.advance(g, t)) changed.push(g.id);
    }
    return changed;
  }

  private schedule(id: string, sport: Sport, t: number, slot: number): Game {
    const [home, away] = twoOf(this.random, sport.teams);
    const startsIn = randomInt(this.random, 4, 12);
    const value: GameValue = {
      league: sport.league,
      home: { name: home[0], abbr: home[1], score: 0 },
      away: { name: away[0], abbr: away[1], score: 0 },
      status: 'scheduled',
      // Demo ticks are seconds; the shown kick-off is in "hours", so the schedule reads like one.
      startsAt: new Date(Math.ceil((t + (slot + 1) * 3_600_000) / 900_000) * 900_000).toISOString(),
      updatedAt: new Date(t).toISOString(),
    };
    return { id, sport, value, left: startsIn };
  }

  private kickOff(g: Game, t: number): void {
    g.value = { ...g.value, status: 'live', period: PERIODS[0], clock: clock(g.sport.periodSeconds), startsAt: new Date(t).toISOString(), updatedAt: new Date(t).toISOString() };
    g.left = g.sport.periodSeconds;
  }

  private finish(g: Game, t: number): void {
    const score = () => randomInt(this.random, 3, 9) * g.sport.scores.reduce((a, b) => a + b, 0);
    const home = g.value.status === 'scheduled' ? score() : g.value.home.score;
    const away = g.value.status === 'scheduled' ? score() : g.value.away.score;
    g.value = { league: g.value.league, home: { ...g.value.home, score: home }, away: { ...g.value.away, score: away }, status: 'final', startsAt: g.value.startsAt, updatedAt: new Date(t).toISOString() };
    g.left = randomInt(this.random, 5, 10);
  }

  private advance(g: Game, t: number): boolean {
    const v = g.value;
    if (v.status === 'scheduled') {
      if (--g.left > 0) return false;
      this.kickOff(g, t);
      return true;
    }
    if (v.status === 'final') {
      if (--g.left > 0) return false;
      Object.assign(g, this.schedule(g.id, g.sport, t, randomInt(this.random, 0, 3)));
      return true;
    }
    g.left -= GAME_SECONDS_PER_TICK;
    let period = v.period ?? PERIODS[0];
    if (g.left <= 0) {
      // After the fourth period (or an overtime) a decided game is final; a tie goes to overtime.
      const regulationOver = period === 'OT' || PERIODS.indexOf(period) === PERIODS.length - 1;
      if (regulationOver && v.home.score !== v.away.score) {
        this.finish(g, t);
        return true;
      }
      period = regulationOver ? 'OT' : PERIODS[PERIODS.indexOf(period) + 1];
      g.left = g.sport.periodSeconds;
    }
    const side = this.random() < 0.5 ? 'home' : 'away';
    const points = this.random() < 0.45 ? pick(this.random, g.sport.scores) : 0;
    g.value = {
      ...v,
      [side]: { ...v[side], score: v[side].score + points },
      period,
      clock: clock(g.left),
      updatedAt: new Date(t).toISOString(),
    };
    return true;
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function twoOf<T>(random: Random, list: readonly T[]): [T, T] {
  const a = randomInt(random, 0, list.length - 1);
  const b = (a + randomInt(random, 1, list.length - 1)) % list.length;
  return [list[a], list[b]];
}
