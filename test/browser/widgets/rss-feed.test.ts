import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/elements/rss-feed/rss-feed.js';
import type { FeedItem, RssFeed } from '../../../src/elements/rss-feed/rss-feed.js';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const item = (n: number, m: number, extra: Partial<FeedItem> = {}): FeedItem => ({
  id: `i${n}`,
  title: `Item ${n}`,
  link: `https://example.com/${n}`,
  published: minutesAgo(m),
  source: 'Example',
  ...extra,
});

async function ready(limit = 10): Promise<RssFeed> {
  const el = await fixture<RssFeed>(html`<rss-feed key="news" locale="en-US" limit=${limit}></rss-feed>`);
  // The topic's value is the bounded list, oldest first.
  el.items = { news: [item(1, 30), item(2, 20), item(3, 10)], other: [item(9, 1)] };
  await el.updateComplete;
  return el;
}

const titles = (el: RssFeed) => [...el.shadowRoot!.querySelectorAll('li')].map((li) => li.querySelector('a,.title')!.textContent);

describe('<rss-feed>', () => {
  it('renders newest first with links, source and relative time', async () => {
    const el = await ready();
    expect(titles(el)).to.deep.equal(['Item 3', 'Item 2', 'Item 1']);
    const a = el.shadowRoot!.querySelector<HTMLAnchorElement>('li a')!;
    expect(a.getAttribute('href')).to.equal('https://example.com/3');
    expect(a.getAttribute('rel')).to.equal('noopener noreferrer');
    expect(el.shadowRoot!.querySelector('[part="source"]')!.textContent).to.equal('Example');
    expect(el.shadowRoot!.querySelector('[part="time"]')!.textContent).to.equal('10 minutes ago');
  });

  it('formats relative time with the locale', async () => {
    const el = await ready();
    el.locale = 'fr';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="time"]')!.textContent).to.equal('il y a 10 minutes');
  });

  it('respects limit, and shows all feeds merged without a key', async () => {
    const el = await ready(2);
    expect(titles(el)).to.deep.equal(['Item 3', 'Item 2']);
    el.key = null;
    await el.updateComplete;
    expect(titles(el)).to.deep.equal(['Item 9', 'Item 3']);
  });

  it('applies an append: the new item comes first, is highlighted, announced, and live-change fires', async () => {
    const el = await ready();
    const fired = oneEvent(el, 'live-change');
    el.applyEvents([{ topic: 'rss', key: 'news', op: 'append', data: item(4, 0, { title: 'Breaking' }) }]);
    const ev = await fired;
    expect(ev.detail.keys).to.deep.equal(['news']);
    expect(titles(el)).to.deep.equal(['Breaking', 'Item 3', 'Item 2', 'Item 1']);
    const parts = [...el.shadowRoot!.querySelectorAll('li')].map((li) => li.getAttribute('part'));
    expect(parts).to.deep.equal(['item item-changed', 'item', 'item', 'item']);
    const live = el.shadowRoot!.querySelector('[part="announcer"]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    expect(live.textContent).to.equal('New item: Breaking');
  });

  it('applies upsert (a replaced list) and delete', async () => {
    const el = await ready();
    el.applyEvents([{ topic: 'rss', key: 'news', op: 'upsert', data: [item(7, 5)] }]);
    await el.updateComplete;
    expect(titles(el)).to.deep.equal(['Item 7']);
    el.applyEvents([{ topic: 'rss', key: 'news', op: 'delete' }]);
    await el.updateComplete;
    expect(el.hasAttribute('empty')).to.equal(true);
  });

  it('has loading, empty (slot) and error states, parts and a labelled region', async () => {
    const el = await fixture<RssFeed>(html`<rss-feed><p slot="empty">No news yet</p></rss-feed>`);
    expect(el.shadowRoot!.querySelector('[part="loading"]')).to.exist;
    el.items = {};
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="empty"]')!.assignedElements()[0].textContent).to.equal('No news yet');
    el.error = { code: 'x', message: 'feed unavailable' };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('feed unavailable');
    const r = await ready();
    for (const part of ['base', 'list', 'item', 'link', 'source', 'time', 'announcer']) expect(r.shadowRoot!.querySelector(`[part~="${part}"]`), part).to.exist;
    expect(r.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('News feed');
  });

  it('keeps hostile titles and links inert', async () => {
    const el = await fixture<RssFeed>(html`<rss-feed></rss-feed>`);
    (window as unknown as { pwned?: boolean }).pwned = false;
    el.items = {
      f: [
        item(1, 3, { title: '<script>window.pwned=true</script>', link: 'javascript:window.pwned=true' }),
        item(2, 2, { title: '<img src=x onerror="window.pwned=true">', link: 'data:text/html,<script>alert(1)</script>' }),
        item(3, 1, { title: 'relative', link: '/local' }),
      ],
    };
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('a').length).to.equal(0);
    expect(root.querySelector('img')).to.equal(null);
    expect(root.querySelector('script')).to.equal(null);
    expect(titles(el)).to.deep.equal(['relative', '<img src=x onerror="window.pwned=true">', '<script>window.pwned=true</script>']);
    expect((window as unknown as { pwned?: boolean }).pwned).to.equal(false);
  });
});
