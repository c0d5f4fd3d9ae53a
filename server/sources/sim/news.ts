import type { FeedItem } from '../../../src/core/wire.js';
import { pick, type Random } from './random.js';

const SUBJECTS = ['Harbor League', 'Summit Conference', 'Market watch', 'Nature rune prices', 'Release notes', 'Ops report', 'Search indexer'];
const EVENTS = [
  'posts a record week',
  'sees a late surge',
  'opens lower after a quiet night',
  'ships version 2.{n}',
  'recovers after a brief outage',
  'announces the next round of fixtures',
  'tops the table for the first time this season',
];

/** Headlines for the local "demo" feed of topic `rss`. */
export class NewsWire {
  private n = 0;

  constructor(private readonly random: Random) {}

  /** The next item, published `nowMs`. */
  next(nowMs: number): FeedItem {
    const n = ++this.n;
    const title = `${pick(this.random, SUBJECTS)} ${pick(this.random, EVENTS).replace('{n}', String(n))}`;
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const id = `demo-${nowMs}-${n}`;
    return { id, title, link: `https://example.com/news/${slug}-${n}`, published: new Date(nowMs).toISOString(), source: 'Demo wire' };
  }
}
