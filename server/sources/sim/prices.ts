import { gaussian, type Random } from './random.js';

/** The value of a `prices` key: the instant-buy (`high`) and instant-sell (`low`) price, at `ts` (unix s). */
export interface PriceValue {
  name: string;
  high: number;
  low: number;
  ts: number;
}

/** One layer of a backfilled history: points `stepMs` apart, reaching back `spanMs` from now. */
export interface HistoryTier {
  spanMs: number;
  stepMs: number;
}

interface Item {
  id: string;
  name: string;
  mid: number;
  /** Relative volatility per live step. */
  sigma: number;
}

/** The simulated items: game-market ids and believable prices (the demo pages chart 4151, 536 and 13190). */
const ITEMS: ReadonlyArray<Omit<Item, 'sigma'> & { sigma?: number }> = [
  { id: '4151', name: 'Abyssal whip', mid: 1_650_000 },
  { id: '11802', name: 'Armadyl godsword', mid: 11_800_000 },
  { id: '2', name: 'Cannonball', mid: 185, sigma: 0.003 },
  { id: '561', name: 'Nature rune', mid: 105, sigma: 0.003 },
  { id: '1513', name: 'Magic logs', mid: 1_050 },
  { id: '536', name: 'Dragon bones', mid: 2_650 },
  { id: '13190', name: 'Old school bond', mid: 9_400_000, sigma: 0.001 },
];

/** A random walk of mid prices with a bid/ask spread around them. */
export class PriceWalk {
  private readonly items: Item[];

  constructor(private readonly random: Random) {
    this.items = ITEMS.map((it) => ({ ...it, sigma: it.sigma ?? 0.0015 }));
  }

  /** The item ids, in a fixed order. */
  get ids(): string[] {
    return this.items.map((it) => it.id);
  }

  /** The current value of an item, stamped `nowMs`. */
  value(id: string, nowMs: number): PriceValue {
    const it = this.item(id);
    return this.quote(it.name, it.mid, nowMs);
  }

  /** Moves one item's price a step and returns its new value. */
  step(id: string, nowMs: number): PriceValue {
    const it = this.item(id);
    it.mid = Math.max(1, it.mid * Math.exp(it.sigma * gaussian(this.random)));
    return this.value(id, nowMs);
  }

  /**
   * A believable history ending at the item's current price, walked backwards from today's price
   * so the chart joins the live points. Each tier (spans ascending) adds points `stepMs` apart,
   * from where the tier before it ended back to `spanMs` before `endMs`: dense near now, sparse
   * long ago, like the charts that show it. Oldest first.
   */
  history(id: string, endMs: number, tiers: readonly HistoryTier[]): Array<{ t: number; value: PriceValue }> {
    const it = this.item(id);
    const out: Array<{ t: number; value: PriceValue }> = [];
    let mid = it.mid;
    let t = endMs;
    for (const { spanMs, stepMs } of tiers) {
      // A random walk's spread grows with the square root of time; capped so a year of daily steps stays believable.
      const stepSigma = Math.min(0.02, it.sigma * Math.sqrt(stepMs / 1000) * 0.2);
      for (; t > endMs - spanMs; t -= stepMs) {
        out.push({ t, value: this.quote(it.name, mid, t) });
        mid = Math.max(1, mid * Math.exp(stepSigma * gaussian(this.random)));
      }
    }
    return out.reverse();
  }

  private quote(name: string, mid: number, nowMs: number): PriceValue {
    const spread = 0.002 + this.random() * 0.012;
    const high = Math.round(mid * (1 + spread / 2));
    const low = Math.min(Math.round(mid * (1 - spread / 2)), high - 1);
    return { name, high, low: Math.max(0, low), ts: Math.floor(nowMs / 1000) };
  }

  private item(id: string): Item {
    const it = this.items.find((i) => i.id === id);
    if (!it) throw new RangeError(`PriceWalk: no item "${id}"; items are ${this.ids.join(', ')}`);
    return it;
  }
}
