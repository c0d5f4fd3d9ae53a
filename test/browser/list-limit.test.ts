import { expect, fixture, html } from '@open-wc/testing';
import '../../src/elements/rss-feed/rss-feed.js';
import type { RssFeed } from '../../src/elements/rss-feed/rss-feed.js';
import { LIST_LIMIT } from '../../src/core/wire-rules.js';

describe('a widget driven by applyEvents', () => {
  it('keeps an append list as long as the relay and the stream hub do (LIST_LIMIT), dropping the oldest', async () => {
    const el = await fixture<RssFeed>(html`<rss-feed key="news"></rss-feed>`);
    const appends = Array.from({ length: LIST_LIMIT + 50 }, (_, i) => ({
      topic: 'rss',
      key: 'news',
      op: 'append' as const,
      data: { id: `i${i}`, title: `Item ${i}`, link: '', published: new Date(0).toISOString(), source: 'Example' },
    }));
    el.applyEvents(appends);
    const list = el.items.get('news') as Array<{ id: string }>;
    expect(LIST_LIMIT).to.equal(200);
    expect(list.length).to.equal(LIST_LIMIT);
    expect(list[0].id).to.equal('i50');
  });
});
