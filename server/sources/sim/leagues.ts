import { pick, randomInt, type Random } from './random.js';

/** A row of a league table. */
export interface TeamRow {
  id: string;
  rank: number;
  name: string;
  wins: number;
  losses: number;
  ties: number;
  pointsFor: number;
}

/** The value of a `leagues` key. */
export interface LeagueValue {
  name: string;
  season: string;
  teams: TeamRow[];
  updatedAt: string;
}

const LEAGUES: ReadonlyArray<{ id: string; name: string; teams: string[] }> = [
  {
    id: 'premier',
    name: 'Premier Division',
    teams: ['Dockside Otters', 'Lighthouse Keepers', 'Tidewater Gulls', 'Anchor Bay Rovers', 'Saltmarsh Herons', 'Pier 9 Pirates', 'Breakwater Crabs', 'Fogline Seals'],
  },
  {
    id: 'summit',
    name: 'Summit Conference',
    teams: ['Ridge Runners', 'Timberline Elk', 'Glacier Foxes', 'Cedar Peak Owls', 'Granite Goats', 'Switchback Lynx', 'Avalanche', 'High Pass Hawks'],
  },
];

/** Two leagues of eight teams; each {@link playGame} changes two rows and re-ranks the table. */
export class LeagueTable {
  private readonly leagues = new Map<string, { name: string; teams: TeamRow[] }>();

  constructor(private readonly random: Random) {
    for (const l of LEAGUES) {
      const teams = l.teams.map((name, i) => ({
        id: `${l.id}-${i + 1}`,
        rank: i + 1,
        name,
        wins: randomInt(random, 2, 8),
        losses: randomInt(random, 2, 8),
        ties: randomInt(random, 0, 1),
        pointsFor: randomInt(random, 150, 300),
      }));
      this.leagues.set(l.id, { name: l.name, teams });
      rerank(teams);
    }
  }

  /** The league ids. */
  get ids(): string[] {
    return [...this.leagues.keys()];
  }

  /** A league's table now. */
  value(id: string, nowMs: number): LeagueValue {
    const l = this.leagues.get(id);
    if (!l) throw new RangeError(`LeagueTable: no league "${id}"; leagues are ${this.ids.join(', ')}`);
    return { name: l.name, season: String(new Date(nowMs).getUTCFullYear()), teams: l.teams.map((t) => ({ ...t })), updatedAt: new Date(nowMs).toISOString() };
  }

  /** Plays one game between two teams of a random league; returns that league's id. */
  playGame(): string {
    const id = pick(this.random, this.ids);
    const teams = this.leagues.get(id)!.teams;
    const a = pick(this.random, teams);
    let b = pick(this.random, teams);
    while (b === a) b = pick(this.random, teams);
    const sa = randomInt(this.random, 10, 42);
    const sb = randomInt(this.random, 10, 42);
    a.pointsFor += sa;
    b.pointsFor += sb;
    if (sa === sb) {
      a.ties++;
      b.ties++;
    } else {
      const [w, l] = sa > sb ? [a, b] : [b, a];
      w.wins++;
      l.losses++;
    }
    rerank(teams);
    return id;
  }
}

/** Orders by win percentage (a tie counts half), then points scored; ranks from 1. */
function rerank(teams: TeamRow[]): void {
  const pct = (t: TeamRow) => (t.wins + t.ties / 2) / Math.max(1, t.wins + t.losses + t.ties);
  teams.sort((x, y) => pct(y) - pct(x) || y.pointsFor - x.pointsFor || x.name.localeCompare(y.name));
  teams.forEach((t, i) => (t.rank = i + 1));
}
