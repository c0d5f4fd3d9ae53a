import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/service-status/service-status.js';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import '../../../src/elements/live-indicator/live-indicator.js';
import '../../../src/elements/live-ticker/live-ticker.js';
import '../../../src/elements/live-value/live-value.js';
import type { ServiceStatus } from '../../../src/elements/service-status/service-status.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';
import { publish, relays, uniqueTopic, waitFor } from '../helpers.js';

/**
 * Render only what is seen: a widget off screen or in a hidden tab keeps its data current but
 * does not render it, and catches up in one render when it is seen again.
 */

/** Counts the host's renders from now on. */
function countRenders(el: HTMLElement): { readonly count: number } {
  const counter = { count: 0 };
  const host = el as unknown as { render(): unknown };
  const render = host.render.bind(el);
  host.render = () => {
    counter.count++;
    return render();
  };
  return counter;
}

const frames = (n: number) => new Promise<void>((resolve) => {
  const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
  step();
});

/** A page taller than the viewport, with `content` below the fold. */
const belowTheFold = (relay: string, content: unknown) =>
  fixture(html`<div><div style="height: 3000px">spacer</div><live-source relay=${relay}>${content}</live-source></div>`);

describe('widgets render only what is seen', () => {
  afterEach(() => {
    delete (document as unknown as { hidden?: boolean }).hidden;
    window.scrollTo(0, 0);
  });

  it('off screen: gets the data, renders none of it, renders once when scrolled into view', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('seen');
    const updatedAt = new Date().toISOString();
    await publish(main, { topic, key: 'api', op: 'upsert', data: { name: 'API', status: 'running', progress: 10, updatedAt } });
    const page = await belowTheFold(main, html`<service-status topic=${topic} locale="en-US"></service-status>`);
    const el = page.querySelector('service-status') as ServiceStatus;
    const shown = () => el.shadowRoot!.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow');
    // The first data is rendered wherever the element is: it takes its size at once.
    await waitFor('the first data', () => el.phase === 'ready' && shown() === '10');

    const renders = countRenders(el);
    for (const progress of [20, 30, 40]) await publish(main, { topic, key: 'api', op: 'patch', data: { progress } });
    await waitFor('the state to be current', () => (el.items.get('api') as { progress?: number } | undefined)?.progress === 40);
    await frames(3);
    expect(renders.count, 'renders while off screen').to.equal(0);
    expect(shown(), 'what is drawn off screen').to.equal('10');

    el.scrollIntoView();
    await waitFor('the catch-up render', () => shown() === '40');
    await frames(3);
    expect(renders.count, 'renders when seen again').to.equal(1);
  });

  it('in a hidden tab: gets the data, renders none of it, renders once when the tab is shown', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('hidden');
    await publish(main, { topic, key: 'api', op: 'upsert', data: { name: 'API', status: 'running', progress: 10 } });
    const el = await fixture<ServiceStatus>(html`<live-source relay=${main}><service-status topic=${topic}></service-status></live-source>`).then((s) => s.querySelector('service-status') as ServiceStatus);
    const shown = () => el.shadowRoot!.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow');
    await waitFor('the first data', () => shown() === '10');

    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
    const renders = countRenders(el);
    await publish(main, { topic, key: 'api', op: 'patch', data: { progress: 70 } });
    await waitFor('the state to be current', () => (el.items.get('api') as { progress?: number } | undefined)?.progress === 70);
    await frames(3);
    expect(renders.count, 'renders while hidden').to.equal(0);

    delete (document as unknown as { hidden?: boolean }).hidden;
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor('the catch-up render', () => shown() === '70');
    expect(renders.count, 'renders when shown again').to.equal(1);
  });

  for (const kind of ['live-ticker', 'live-value'] as const) {
    it(`<${kind}> in a hidden tab: gets the data, renders none of it, renders once when the tab is shown`, async () => {
      const { main } = await relays();
      const topic = uniqueTopic('hidden');
      await publish(main, { topic, key: 'ACME', op: 'upsert', data: { symbol: 'ACME', price: 10, change: 0 } });
      const source = await fixture(kind === 'live-ticker'
        ? html`<live-source relay=${main}><live-ticker topic=${topic} locale="en-US"></live-ticker></live-source>`
        : html`<live-source relay=${main}><live-value topic=${topic} key="ACME" field="price" locale="en-US"></live-value></live-source>`);
      const el = source.querySelector(kind) as HTMLElement & { items: ReadonlyMap<string, { price: number }>; phase: string };
      const shown = () => el.shadowRoot!.textContent!.includes('40.00') || el.shadowRoot!.textContent!.includes('40');
      await waitFor('the first data', () => el.phase === 'ready' && /10/.test(el.shadowRoot!.textContent!));
      await frames(3);

      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
      const renders = countRenders(el);
      for (const price of [20, 30, 40]) await publish(main, { topic, key: 'ACME', op: 'patch', data: { price } });
      await waitFor('the state to be current', () => el.items.get('ACME')?.price === 40);
      await frames(3);
      expect(renders.count, 'renders while hidden').to.equal(0);
      expect(shown(), 'the new price drawn while hidden').to.equal(false);

      delete (document as unknown as { hidden?: boolean }).hidden;
      document.dispatchEvent(new Event('visibilitychange'));
      await waitFor('the catch-up render', shown);
      await frames(3);
      expect(renders.count, 'renders when shown again').to.equal(1);
    });
  }

  it('a chart off screen keeps its points current but does not redraw, nor ask for frames; it draws once when seen', async () => {
    const { main } = await relays();
    const key = `seen${Math.random().toString(36).slice(2, 8)}`;
    const nowS = Math.floor(Date.now() / 1000);
    await publish(main, Array.from({ length: 10 }, (_, i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { high: 100 + i, low: 90 + i, ts: nowS - (11 - i) * 60 } })));
    const page = await belowTheFold(main, html`<live-price-chart topic="prices" key=${key} period="1h" fields="high,low"></live-price-chart>`);
    const el = page.querySelector('live-price-chart') as LivePriceChart;
    await waitFor('the history drawn', () => el.phase === 'ready' && el.pointCount === 10 && el.shadowRoot!.querySelector('.plot canvas'));
    await frames(3);
    const plot = (el as unknown as { view: { plot: { setData(...a: unknown[]): void; redraw(...a: unknown[]): void } } }).view.plot;
    let draws = 0;
    for (const m of ['setData', 'redraw'] as const) {
      const original = plot[m].bind(plot);
      plot[m] = (...a: unknown[]) => {
        draws++;
        original(...a);
      };
    }
    // A frame asked for is a frame the page makes (style, paint, commit), even if the draw is then skipped.
    const raf = window.requestAnimationFrame;
    let asked = 0;
    window.requestAnimationFrame = (cb) => (asked++, raf(cb));
    try {
      await publish(main, { topic: 'prices', key, op: 'upsert', data: { high: 300, low: 290, ts: nowS } });
      await waitFor('the live point', () => el.pointCount === 11);
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      window.requestAnimationFrame = raf;
    }
    await frames(20);
    expect(draws, 'draws while off screen').to.equal(0);
    expect(asked, 'frames asked for while off screen').to.equal(0);

    el.scrollIntoView();
    await waitFor('the catch-up draw', () => draws > 0);
    await frames(5);
    expect(draws, 'draws when seen again').to.equal(1);
    expect(el.chartData.series.high.at(-1)).to.equal(300);
  });

  it('a widget does not re-render for events of topics it does not show', async () => {
    const { main } = await relays();
    const mine = uniqueTopic('mine');
    const other = uniqueTopic('other');
    await publish(main, [
      { topic: mine, key: 'api', op: 'upsert', data: { name: 'API', status: 'running', progress: 10 } },
      { topic: other, key: 'x', op: 'upsert', data: { name: 'X', status: 'idle' } },
    ]);
    const source = await fixture(html`<live-source relay=${main}><service-status topic=${mine}></service-status><service-status topic=${other}></service-status></live-source>`);
    const [el, otherEl] = [...source.querySelectorAll('service-status')] as ServiceStatus[];
    await waitFor('both ready', () => el.phase === 'ready' && otherEl.phase === 'ready');
    await frames(3);
    const renders = countRenders(el);
    for (let i = 0; i < 3; i++) await publish(main, { topic: other, key: 'x', op: 'patch', data: { progress: i } });
    await waitFor('the other topic\'s events', () => (otherEl.items.get('x') as { progress?: number }).progress === 2);
    await frames(3);
    expect(renders.count).to.equal(0);
  });

  it('<live-indicator> does not re-render for each event: its "updated … ago" ages once a second', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('tick');
    await publish(main, { topic, key: 'x', op: 'upsert', data: { name: 'X', status: 'idle', progress: 0 } });
    const source = await fixture(html`<live-source relay=${main}><live-indicator></live-indicator><service-status topic=${topic}></service-status></live-source>`);
    const indicator = source.querySelector('live-indicator')!;
    const el = source.querySelector('service-status') as ServiceStatus;
    await waitFor('open and ready', () => indicator.getAttribute('status') === 'open' && el.phase === 'ready');
    await frames(3);
    const renders = countRenders(indicator);
    for (let i = 1; i <= 6; i++) await publish(main, { topic, key: 'x', op: 'patch', data: { progress: i } });
    await waitFor('the events', () => (el.items.get('x') as { progress?: number }).progress === 6);
    await frames(3);
    // At most the once-a-second refresh, not one render per event.
    expect(renders.count).to.be.at.most(2);
  });
});

describe('relative times in a hidden tab', () => {
  afterEach(() => {
    delete (document as unknown as { hidden?: boolean }).hidden;
  });

  it('<live-indicator> does not age its "updated … ago" while the tab is hidden, and brings it up to date once when shown', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('hidden-ago');
    await publish(main, { topic, key: 'x', op: 'upsert', data: { name: 'X', status: 'idle' } });
    const source = await fixture(html`<live-source relay=${main}><live-indicator locale="en-US"></live-indicator><service-status topic=${topic}></service-status></live-source>`);
    const indicator = source.querySelector('live-indicator')!;
    const ago = () => indicator.shadowRoot!.querySelector('[part="updated"]')?.textContent?.trim();
    const el = source.querySelector('service-status') as ServiceStatus;
    await waitFor('open and ready', () => indicator.getAttribute('status') === 'open' && el.phase === 'ready');
    await publish(main, { topic, key: 'x', op: 'patch', data: { progress: 1 } });
    await waitFor('"updated … ago"', () => ago());

    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
    const renders = countRenders(indicator);
    const before = ago();
    await new Promise((r) => setTimeout(r, 2500));
    expect(renders.count, 'renders in 2.5 s of a hidden tab').to.equal(0);
    expect(ago(), 'what it shows while hidden').to.equal(before);

    delete (document as unknown as { hidden?: boolean }).hidden;
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor('the catch-up render', () => renders.count > 0, 1000);
    await frames(3);
    expect(renders.count, 'renders when shown again').to.equal(1);
    expect(ago(), 'aged by the time spent hidden').to.match(/^updated ([2-9]|\d\d) sec/);
  });
});
