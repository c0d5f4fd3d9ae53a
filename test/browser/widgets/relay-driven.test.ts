import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/service-status/service-status.js';
import '../../../src/elements/rss-feed/rss-feed.js';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import type { ServiceStatus } from '../../../src/elements/service-status/service-status.js';
import type { RssFeed } from '../../../src/elements/rss-feed/rss-feed.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import type { LiveChangeEvent } from '../../../src/elements/shared/live-change-event.js';
import { publish, relays, uniqueTopic, waitFor } from '../helpers.js';

/** Widgets fed by a real relay: snapshot, then the shared stream, through `<live-source>`. */
describe('widgets on a real relay', () => {
  it('<service-status> renders the snapshot, then upsert, patch and delete from the stream', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('svc');
    const now = new Date().toISOString();
    await publish(main, { topic, key: 'api', op: 'upsert', data: { name: 'API', status: 'running', progress: 10, updatedAt: now } });
    const source = await fixture(html`<live-source relay=${main}><service-status topic=${topic} locale="en-US"></service-status></live-source>`);
    const el = source.querySelector('service-status') as ServiceStatus;
    const rows = () => [...el.shadowRoot!.querySelectorAll<HTMLTableRowElement>('tbody tr')];
    await waitFor('the snapshot', () => el.phase === 'ready' && rows().length === 1);
    expect(rows()[0].querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).to.equal('10');

    const changes: string[][] = [];
    el.addEventListener('live-change', (e: LiveChangeEvent) => changes.push([...e.detail.keys]));
    await publish(main, [
      { topic, key: 'api', op: 'patch', data: { progress: 55 } },
      { topic, key: 'db', op: 'upsert', data: { name: 'DB', status: 'idle', updatedAt: now } },
    ]);
    await waitFor('the patch and the new service', () => rows().length === 2 && rows()[0].querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '55');
    expect(changes.flat().sort()).to.deep.equal(['api', 'db']);
    expect(rows()[1].getAttribute('part')).to.equal('row row-changed');

    await publish(main, { topic, key: 'api', op: 'patch', data: { status: 'failed', message: 'disk full' } });
    await waitFor('the failure', () => rows()[0].querySelector('[part="badge"]')?.textContent === 'failed');
    expect(el.shadowRoot!.querySelector('[part="announcer"]')!.textContent).to.equal('API failed');

    await publish(main, { topic, key: 'db', op: 'delete' });
    await waitFor('the delete', () => rows().length === 1);
  });

  it('<rss-feed> shows appended items newest first and announces them', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('rss');
    const item = (n: number) => ({ id: `i${n}`, title: `Item ${n}`, link: `https://example.com/${n}`, published: new Date(Date.now() - (10 - n) * 60_000).toISOString(), source: 'Ex' });
    await publish(main, [1, 2].map((n) => ({ topic, key: 'news', op: 'append' as const, data: item(n) })));
    const source = await fixture(html`<live-source relay=${main}><rss-feed topic=${topic} key="news" limit="2"></rss-feed></live-source>`);
    const el = source.querySelector('rss-feed') as RssFeed;
    const titles = () => [...el.shadowRoot!.querySelectorAll('li a')].map((a) => a.textContent);
    await waitFor('the snapshot', () => titles().length === 2);
    expect(titles()).to.deep.equal(['Item 2', 'Item 1']);
    await publish(main, { topic, key: 'news', op: 'append', data: item(3) });
    await waitFor('the new item', () => titles()[0] === 'Item 3');
    expect(titles()).to.deep.equal(['Item 3', 'Item 2']);
    expect(el.shadowRoot!.querySelector('[part="announcer"]')!.textContent).to.equal('New item: Item 3');
  });

  it('<live-price-chart> loads the history from /v1/series, then draws live points with a live tip', async () => {
    const { main } = await relays();
    const key = `k${Math.random().toString(36).slice(2, 8)}`;
    // The live tip lasts until its 1-minute bucket closes: start early enough in a minute that it
    // is still open when checked (the test failed when it ran across a minute boundary). At most a
    // 15 s wait, inside the test's 30 s timeout.
    await waitFor('a minute with 15 s left', () => Date.now() % 60_000 < 45_000, 20_000);
    const nowS = Math.floor(Date.now() / 1000);
    // Recorded as a series by the relay (SERIES_TOPICS has prices): 30 points a minute apart.
    await publish(main, Array.from({ length: 30 }, (_, i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { name: 'X', high: 100 + i, low: 90 + i, ts: nowS - (31 - i) * 60 } })));
    const source = await fixture(html`<live-source relay=${main}><live-price-chart topic="prices" key=${key} period="1h" fields="high,low"></live-price-chart></live-source>`);
    const el = source.querySelector('live-price-chart') as LivePriceChart;
    await waitFor('the history', () => el.phase === 'ready' && el.pointCount === 30);
    expect(el.chartData.series.high[29]).to.equal(129);
    await waitFor('uPlot', () => el.shadowRoot!.querySelector('.plot canvas'));
    await publish(main, { topic: 'prices', key, op: 'upsert', data: { name: 'X', high: 200, low: 190, ts: nowS } });
    await waitFor('the live point', () => el.pointCount === 31);
    expect(el.liveTip?.values).to.deep.equal({ high: 200, low: 190 });
    // A patch carries one field; the other keeps its last value.
    await publish(main, { topic: 'prices', key, op: 'patch', data: { high: 201, ts: nowS + 1 } });
    await waitFor('the patch', () => el.liveTip?.values.high === 201);
    expect(el.pointCount).to.equal(31);
    expect(el.liveTip?.values.low).to.equal(190);
  });

  it('<live-price-chart> asks for its history as it connects, before its first render, and once', async () => {
    const { main } = await relays();
    const key = `k${Math.random().toString(36).slice(2, 8)}`;
    const nowS = Math.floor(Date.now() / 1000);
    await publish(main, Array.from({ length: 5 }, (_, i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { name: 'X', high: 100 + i, low: 90 + i, ts: nowS - (6 - i) * 60 } })));
    const source = await fixture<HTMLElement>(html`<live-source relay=${main}></live-source>`);
    const el = document.createElement('live-price-chart') as LivePriceChart;
    el.setAttribute('topic', 'prices');
    el.setAttribute('key', key);
    el.setAttribute('period', '1h');
    el.setAttribute('fields', 'high,low');
    const asked: Array<{ url: string; rendered: boolean }> = [];
    const fetch = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes(`/v1/series/prices/${key}`)) asked.push({ url, rendered: el.hasUpdated });
      return fetch(input, init);
    };
    try {
      source.append(el);
      await waitFor('the history', () => el.phase === 'ready' && el.pointCount === 5);
      await waitFor('uPlot', () => el.shadowRoot!.querySelector('.plot canvas'));
    } finally {
      window.fetch = fetch;
    }
    expect(asked.map((a) => a.rendered), 'one history request, made before the first render').to.deep.equal([false]);
  });

  it('<live-price-chart> moved in the page while its history loads asks for it again', async () => {
    const { main } = await relays();
    const key = `k${Math.random().toString(36).slice(2, 8)}`;
    await publish(main, { topic: 'prices', key, op: 'upsert', data: { name: 'X', high: 7, low: 6, ts: Math.floor(Date.now() / 1000) - 120 } });
    const source = await fixture<HTMLElement>(html`<live-source relay=${main}><div></div></live-source>`);
    const el = document.createElement('live-price-chart') as LivePriceChart;
    Object.assign(el, { topic: 'prices', key, period: '1h' });
    source.append(el);
    // Moved: disconnected (its request aborted) and connected again.
    source.querySelector('div')!.append(el);
    await waitFor('the history', () => el.phase === 'ready' && el.pointCount === 1);
  });

  it('<live-price-chart> shows "● LIVE" in its header while the stream is open, and not after it drops', async () => {
    const { main } = await relays();
    const key = `k${Math.random().toString(36).slice(2, 8)}`;
    const source = await fixture(html`<live-source relay=${main}><live-price-chart topic="prices" key=${key} period="1h"></live-price-chart></live-source>`);
    const el = source.querySelector('live-price-chart') as LivePriceChart;
    const badge = () => el.shadowRoot!.querySelector('[part="live"]')!;
    const shown = () => getComputedStyle(badge()).visibility === 'visible';
    await waitFor('LIVE', () => shown());
    expect(badge().textContent!.trim()).to.equal('● LIVE');
    expect(badge().closest('[role="status"], [aria-live]'), 'not a live region: the legend holds it').to.equal(null);
    expect(badge().querySelector('[aria-hidden="true"]')!.textContent).to.equal('●');
    // The stream drops: the connection hears the status its stream's owner sends then.
    const conn = (el as unknown as { live: { liveConnection: { receive(m: unknown): void } } }).live.liveConnection;
    // Told on each poll: the stream's owner may send its own (open) status in between, as WebKit's worker did.
    await waitFor('LIVE gone', () => {
      conn.receive({ t: 'status', status: { status: 'reconnecting', lastEventAt: null, attempts: 1, error: null } });
      return !shown();
    });
  });

  it('<live-price-chart> reloads its history when its <live-source> moves to another relay', async () => {
    const { main, small } = await relays();
    const key = `k${Math.random().toString(36).slice(2, 8)}`;
    const nowS = Math.floor(Date.now() / 1000);
    const points = (base: number) => Array.from({ length: 10 }, (_, i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { name: 'X', high: base + i, low: base - 10 + i, ts: nowS - (11 - i) * 60 } }));
    await publish(main, points(100));
    // The small relay keeps 5 events, and refuses a batch larger than its log (413): two batches.
    await publish(small, points(500).slice(0, 5));
    await publish(small, points(500).slice(5));
    const source = await fixture<HTMLElement & { relay: string }>(html`<live-source relay=${main}><live-price-chart topic="prices" key=${key} period="1h" fields="high,low"></live-price-chart></live-source>`);
    const el = source.querySelector('live-price-chart') as LivePriceChart;
    await waitFor('the first relay\'s history', () => el.phase === 'ready' && el.chartData.series.high.at(-1) === 109);
    source.relay = small;
    await waitFor('the second relay\'s history', () => el.phase === 'ready' && el.chartData.series.high.at(-1) === 509);
    expect(el.pointCount).to.equal(10);
    await publish(small, { topic: 'prices', key, op: 'upsert', data: { name: 'X', high: 600, low: 590, ts: nowS } });
    await waitFor('a live point from the second relay', () => el.chartData.series.high.at(-1) === 600);
  });

  it('shows the relay\'s refusal as the error state', async () => {
    const { main } = await relays();
    const source = await fixture(html`<live-source relay=${main}><service-status topic="Bad Topic!"></service-status></live-source>`);
    const el = source.querySelector('service-status') as ServiceStatus;
    await waitFor('the error', () => el.phase === 'error');
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.match(/topic/i);
  });
});
