import { gaussian, pick, type Random } from './random.js';

/** The value of a `trades` key (the symbol): the last trade and its change since the open. */
export interface TradeValue {
  symbol: string;
  name: string;
  price: number;
  /** Price minus the day's open. */
  change: number;
  /** `change` as a percentage of the open (1.25 means +1.25 %). */
  changePercent: number;
  /** ISO time of the trade. */
  updatedAt: string;
}

interface Stock {
  symbol: string;
  name: string;
  open: number;
  price: number;
  /** Relative volatility per trade. */
  sigma: number;
}

const STOCKS: ReadonlyArray<Omit<Stock, 'price' | 'sigma'> & { sigma?: number }> = [
  { symbol: 'AAPL', name: 'Apple', open: 228.4 },
  { symbol: 'MSFT', name: 'Microsoft', open: 431.15 },
  { symbol: 'NVDA', name: 'NVIDIA', open: 138.9, sigma: 0.004 },
  { symbol: 'AMZN', name: 'Amazon', open: 201.35 },
  { symbol: 'GOOGL', name: 'Alphabet', open: 172.6 },
  { symbol: 'TSLA', name: 'Tesla', open: 344.1, sigma: 0.005 },
  { symbol: 'JPM', name: 'JPMorgan Chase', open: 240.8, sigma: 0.0015 },
  { symbol: 'KO', name: 'Coca-Cola', open: 63.95, sigma: 0.001 },
];

const cents = (n: number) => Math.round(n * 100) / 100;

/** A tape of trades: each trade moves one stock's price by a random walk around its open. */
export class TradeTape {
  private readonly stocks = new Map<string, Stock>();

  constructor(private readonly random: Random) {
    for (const s of STOCKS) {
      // The day starts somewhere within ±1.5 % of the open, so the ticker opens with ups and downs.
      const price = cents(s.open * (1 + (random() - 0.5) * 0.03));
      this.stocks.set(s.symbol, { ...s, price, sigma: s.sigma ?? 0.002 });
    }
  }

  /** The symbols, in a fixed order. */
  get ids(): string[] {
    return [...this.stocks.keys()];
  }

  /** The current value of `symbol`. */
  value(symbol: string, t: number): TradeValue {
    const s = this.stocks.get(symbol)!;
    const change = cents(s.price - s.open);
    return { symbol, name: s.name, price: s.price, change, changePercent: cents((change / s.open) * 100), updatedAt: new Date(t).toISOString() };
  }

  /** Trades a random stock; returns its symbol. */
  trade(): string {
    const s = pick(this.random, [...this.stocks.values()]);
    // Mean-reverting towards the open, so a long-running demo stays within a believable range.
    const pull = ((s.open - s.price) / s.open) * 0.02;
    s.price = Math.max(0.01, cents(s.price * (1 + pull + s.sigma * gaussian(this.random))));
    return s.symbol;
  }
}
