/** The value of one key of the `trades` topic: the last trade of a symbol. */
export interface TickerTrade {
  symbol: string;
  price: number;
  /** Price minus the reference (the day's open). */
  change?: number;
  /** `change` in percent of the reference: 1.25 means +1.25 %. */
  changePercent?: number;
  /** ISO 4217 code; the price is then shown as money. */
  currency?: string;
  name?: string;
}

/** One side of a game. */
export interface TickerTeam {
  name: string;
  /** Short name shown when set (`BUF`). */
  abbr?: string;
  score?: number;
}

/** The value of one key of the `games` topic. */
export interface TickerGame {
  home: TickerTeam;
  away: TickerTeam;
  status: 'scheduled' | 'live' | 'final';
  /** ISO start time, shown while scheduled. */
  startsAt?: string;
  /** While live: the period (`Q3`, `2nd`, `OT`). */
  period?: string;
  /** While live: the clock (`7:42`). */
  clock?: string;
  league?: string;
}

export function isTrade(v: unknown): v is TickerTrade {
  return typeof v === 'object' && v !== null && typeof (v as TickerTrade).symbol === 'string' && typeof (v as TickerTrade).price === 'number';
}

function isTeam(v: unknown): v is TickerTeam {
  return typeof v === 'object' && v !== null && typeof (v as TickerTeam).name === 'string';
}

export function isGame(v: unknown): v is TickerGame {
  return typeof v === 'object' && v !== null && isTeam((v as TickerGame).home) && isTeam((v as TickerGame).away);
}

/** `up`, `down` or `flat`, from the change (or its percentage). */
export function direction(t: TickerTrade): 'up' | 'down' | 'flat' {
  const c = typeof t.change === 'number' ? t.change : t.changePercent;
  return typeof c !== 'number' || c === 0 || !Number.isFinite(c) ? 'flat' : c > 0 ? 'up' : 'down';
}

/** A game's status as the ticker knows it (an unknown one reads as scheduled). */
export function gameStatus(g: TickerGame): TickerGame['status'] {
  return g.status === 'live' || g.status === 'final' ? g.status : 'scheduled';
}
