import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys, sendMouse, resetMouse } from '@web/test-runner-commands';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/live-ticker/live-ticker.js';
import type { LiveTicker } from '../../../src/elements/live-ticker/live-ticker.js';
import type { LiveChangeEvent } from '../../../src/elements/shared/live-change-event.js';
import { commandsWork, itInChromium, publish, relays, uniqueTopic, waitFor } from '../helpers.js';

const trades = {
  AAPL: { symbol: 'AAPL', name: 'Apple', price: 228.4, change: 1.2, changePercent: 0.53 },
  KO: { symbol: 'KO', name: 'Coca-Cola', price: 63.1, change: -0.85, changePercent: -1.33 },
  JPM: { symbol: 'JPM', price: 240.8, change: 0, changePercent: 0 },
};
const games = {
  g1: { home: { name: 'Buffalo', abbr: 'BUF', score: 0 }, away: { name: 'Detroit', abbr: 'DET', score: 0 }, status: 'scheduled', startsAt: '2026-12-06T18:00:00Z' },
  g2: { home: { name: 'Boston', abbr: 'BOS', score: 88 }, away: { name: 'Denver', abbr: 'DEN', score: 91 }, status: 'live', period: 'Q3', clock: '7:42' },
  g3: { home: { name: 'Kansas City', score: 24 }, away: { name: 'Baltimore', score: 17 }, status: 'final' },
};

/** Many trades, so the list is wider than the ticker and scrolls. */
const manyTrades = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`S${i}`, { symbol: `SYM${i}`, price: 100 + i, change: i % 2 ? 1 : -1, changePercent: i % 2 ? 1 : -1 }]));

async function ticker(items: Record<string, unknown>, width = 400): Promise<LiveTicker> {
  const el = await fixture<LiveTicker>(html`<live-ticker locale="en-US" style=${`width:${width}px`}></live-ticker>`);
  el.items = items;
  await el.updateComplete;
  return el;
}

const visibleItems = (el: LiveTicker) => [...el.shadowRoot!.querySelectorAll('ul[aria-hidden="false"] li')];
const text = (li: Element, part: string) => [...li.querySelectorAll(`[part~="${part}"]`)].map((e) => e.textContent!.trim());
const track = (el: LiveTicker) => el.shadowRoot!.querySelector<HTMLElement>('[part="track"]')!;

describe('<live-ticker>', () => {
  afterEach(async () => {
    if (!commandsWork) return;
    await emulateMedia({ reducedMotion: 'no-preference' });
    await resetMouse();
  });

  describe('rendering', () => {
    it('shows a trade\'s symbol, price, change and change % with its direction', async () => {
      const el = await ticker(trades, 1200);
      const [aapl, ko, jpm] = visibleItems(el);
      expect(text(aapl, 'symbol')).to.deep.equal(['AAPL']);
      expect(text(aapl, 'price')).to.deep.equal(['228.40']);
      expect(text(aapl, 'change')).to.deep.equal(['▲+1.20']);
      expect(text(aapl, 'change-percent')).to.deep.equal(['+0.53%']);
      expect(aapl.getAttribute('data-direction')).to.equal('up');
      expect(ko.getAttribute('data-direction')).to.equal('down');
      expect(text(ko, 'change')).to.deep.equal(['▼-0.85']);
      expect(jpm.getAttribute('data-direction')).to.equal('flat');
      // Up and down in different colours.
      const colour = (li: Element) => getComputedStyle(li.querySelector('[part~="change-percent"]')!).color;
      expect(colour(aapl)).to.not.equal(colour(ko));
    });

    it('shows a game\'s teams, score and status: scheduled with its start, live with period and clock, final', async () => {
      const el = await ticker(games, 1400);
      const [scheduled, live, final] = visibleItems(el);
      expect(text(scheduled, 'team')).to.deep.equal(['DET', 'BUF']);
      expect(text(scheduled, 'score')).to.deep.equal([]);
      expect(text(scheduled, 'status')[0]).to.match(/^Sun,? \d{1,2}:00\s?[AP]M$/);
      expect(live.getAttribute('data-status')).to.equal('live');
      expect(text(live, 'score')).to.deep.equal(['91', '88']);
      expect(text(live, 'status')).to.deep.equal(['Q3 7:42']);
      expect(text(final, 'team')).to.deep.equal(['Baltimore', 'Kansas City']);
      expect(text(final, 'status')).to.deep.equal(['Final']);
    });
  });

  it('passes axe, scrolling and static', async () => {
    const el = await ticker(manyTrades);
    await waitUntil(() => el.scrolling);
    await el.updateComplete;
    await expect(el).to.be.accessible();
    await expect(await ticker(games, 1400)).to.be.accessible();
  });

  it('keeps one height while loading, empty and ready, so the page does not shift', async () => {
    const el = await fixture<LiveTicker>(html`<live-ticker locale="en-US" style="width:400px"></live-ticker>`);
    const loading = el.getBoundingClientRect().height;
    el.items = {};
    await el.updateComplete;
    const empty = el.getBoundingClientRect().height;
    el.items = games;
    await el.updateComplete;
    expect([loading, empty, el.getBoundingClientRect().height]).to.deep.equal([40, 40, 40]);
  });

  describe('scrolling', () => {
    it('scrolls by a transform animation when the items are wider than it, with a hidden inert copy', async () => {
      const el = await ticker(manyTrades);
      await waitUntil(() => el.scrolling, 'the ticker to find its items wider than itself');
      await el.updateComplete;
      const lists = el.shadowRoot!.querySelectorAll('ul');
      expect(lists).to.have.length(2);
      expect(lists[1].getAttribute('aria-hidden')).to.equal('true');
      expect(lists[1].hasAttribute('inert')).to.equal(true);
      // WebKit starts the CSS animation a frame or more after the render that asked for it.
      await waitUntil(() => track(el).getAnimations().length > 0, 'the scroll animation to start');
      const [animation] = track(el).getAnimations() as CSSAnimation[];
      expect(animation.animationName).to.equal('live-ticker-scroll');
      const frames = (animation.effect as KeyframeEffect).getKeyframes();
      expect(Object.keys(frames[frames.length - 1]).filter((k) => !['offset', 'easing', 'composite', 'computedOffset'].includes(k))).to.deep.equal(['transform']);
      expect(getComputedStyle(track(el)).animationPlayState).to.equal('running');
    });

    it('stands still while its tab is hidden, and scrolls again when it is shown', async () => {
      const el = await ticker(manyTrades);
      await waitUntil(() => el.scrolling, 'the ticker to find its items wider than itself');
      await waitUntil(() => getComputedStyle(track(el)).animationPlayState === 'running', 'the scroll animation to run');
      const setHidden = (hidden: boolean) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      try {
        setHidden(true);
        expect(getComputedStyle(track(el)).animationPlayState).to.equal('paused');
        setHidden(false);
        expect(getComputedStyle(track(el)).animationPlayState).to.equal('running');
      } finally {
        delete (document as { hidden?: boolean }).hidden; // back to the prototype's getter
      }
    });

    it('does not scroll when everything fits', async () => {
      const el = await ticker({ AAPL: trades.AAPL }, 1000);
      await el.updateComplete;
      expect(el.scrolling).to.equal(false);
      expect(track(el).getAnimations()).to.have.length(0);
    });

    itInChromium('pauses on hover, on focus and with its pause button', async () => {
      const el = await ticker(manyTrades);
      await waitUntil(() => el.scrolling);
      await el.updateComplete;
      const state = () => getComputedStyle(track(el)).animationPlayState;
      const box = el.getBoundingClientRect();
      await sendMouse({ type: 'move', position: [Math.round(box.left + 20), Math.round(box.top + box.height / 2)] });
      expect(state()).to.equal('paused');
      await resetMouse();
      expect(state()).to.equal('running');
      el.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.focus();
      expect(state()).to.equal('paused');
      el.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.blur();
      expect(state()).to.equal('running');
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part="pause-button"]')!;
      button.click();
      await el.updateComplete;
      expect(el.paused).to.equal(true);
      expect(button.getAttribute('aria-pressed')).to.equal('true');
      button.blur();
      expect(state()).to.equal('paused');
    });

    itInChromium('is driven by the keyboard when focused: arrows move it, Home goes back', async () => {
      const el = await ticker(manyTrades);
      await waitUntil(() => el.scrolling);
      await el.updateComplete;
      const viewport = el.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
      viewport.focus();
      const animation = track(el).getAnimations()[0];
      animation.currentTime = 10_000;
      await sendKeys({ press: 'ArrowRight' });
      expect(Number(animation.currentTime)).to.be.greaterThan(10_000);
      await sendKeys({ press: 'ArrowLeft' });
      await sendKeys({ press: 'ArrowLeft' });
      expect(Number(animation.currentTime)).to.be.lessThan(10_000);
      await sendKeys({ press: 'Home' });
      expect(Number(animation.currentTime)).to.equal(0);
    });

    itInChromium('is a static scrollable list under prefers-reduced-motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const el = await ticker(manyTrades);
      await waitUntil(() => el.scrolling);
      await el.updateComplete;
      expect(track(el).getAnimations()).to.have.length(0);
      const viewport = el.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
      expect(getComputedStyle(viewport).overflowX).to.equal('auto');
      expect(viewport.scrollWidth).to.be.greaterThan(viewport.clientWidth);
      expect(getComputedStyle(el.shadowRoot!.querySelector('ul[aria-hidden="true"]')!).display).to.equal('none');
    });
  });

  describe('changes', () => {
    it('highlights a changed item, animating nothing of it, and fires live-change', async () => {
      const el = await ticker(trades, 1200);
      const events: LiveChangeEvent[] = [];
      el.addEventListener('live-change', (e) => events.push(e));
      el.applyEvents([{ topic: 'trades', key: 'KO', op: 'patch', data: { price: 63.5, change: -0.45, changePercent: -0.7 } }]);
      await el.updateComplete;
      const ko = visibleItems(el)[1];
      expect(ko.getAttribute('part')).to.equal('item trade item-changed');
      expect(text(ko, 'price')).to.deep.equal(['63.50']);
      expect(events.map((e) => e.detail.keys)).to.deep.equal([['KO']]);
      const flash = getComputedStyle(ko, '::after');
      expect(flash.content, 'the highlight behind it').to.not.be.oneOf(['none', 'normal']);
      expect(flash.animationName, 'not animated').to.equal('none');
      expect(visibleItems(el)[0].getAttribute('part')).to.equal('item trade');
    });

    it('moves no item when a game kicks off, ends or is rescheduled, or a price loses digits', async () => {
      const el = await ticker({ ...games, ...trades, BIG: { symbol: 'BIG', price: 12345.67, change: 1234.5, changePercent: 11.1 } }, 2400);
      // The parts' floors are set by a ResizeObserver, after layout.
      await nextFrame();
      await nextFrame();
      // Where every part of every item starts: text that moved is a layout shift on the host page.
      const starts = () => visibleItems(el).flatMap((li) => [li, ...li.children].map((e) => Math.round(e.getBoundingClientRect().left)));
      const before = starts();
      el.applyEvents([
        { topic: 'games', key: 'g1', op: 'patch', data: { status: 'live', period: 'Q1', clock: '15:00', away: { name: 'Detroit', abbr: 'DET', score: 7 } } },
        { topic: 'games', key: 'g2', op: 'patch', data: { status: 'final', home: { name: 'Boston', abbr: 'BOS', score: 102 } } },
        { topic: 'games', key: 'g3', op: 'patch', data: { status: 'scheduled', startsAt: '2026-12-09T20:45:00Z' } },
        { topic: 'trades', key: 'BIG', op: 'patch', data: { price: 5.1, change: 0, changePercent: 0 } },
      ]);
      await el.updateComplete;
      await nextFrame();
      expect(text(visibleItems(el)[0], 'score')).to.deep.equal(['7', '0']);
      expect(starts()).to.deep.equal(before);
    });

    it('announces a game that starts or ends, not price ticks', async () => {
      const el = await ticker(games, 1400);
      const announcer = el.shadowRoot!.querySelector('[part="announcer"]')!;
      el.applyEvents([{ topic: 'games', key: 'g2', op: 'patch', data: { status: 'final' } }]);
      await el.updateComplete;
      expect(announcer.textContent).to.equal('Boston 88, Denver 91, final');
    });

    it('does no rendering while off screen, and catches up when it comes back', async () => {
      const wrapper = await fixture<HTMLDivElement>(html`<div style="height:200px;overflow:auto"><div style="height:2000px"></div><live-ticker locale="en-US"></live-ticker></div>`);
      const el = wrapper.querySelector('live-ticker')!;
      el.items = trades;
      await waitUntil(() => el.hasAttribute('data-unseen'), 'the ticker to know it is off screen');
      const before = visibleItems(el).length;
      el.applyEvents([{ topic: 'trades', key: 'NEW', op: 'upsert', data: { symbol: 'NEW', price: 1 } }]);
      await el.updateComplete;
      expect(visibleItems(el).length).to.equal(before, 'not rendered while off screen');
      el.scrollIntoView();
      await waitUntil(() => visibleItems(el).length === before + 1, 'the new item once visible');
    });
  });

  it('follows a topic on a real relay', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('trades');
    await publish(main, { topic, key: 'AAPL', op: 'upsert', data: trades.AAPL });
    const source = await fixture(html`<live-source relay=${main}><live-ticker topic=${topic} locale="en-US"></live-ticker></live-source>`);
    const el = source.querySelector('live-ticker')!;
    await waitFor('the snapshot', () => visibleItems(el).length === 1);
    await publish(main, { topic, key: 'AAPL', op: 'patch', data: { price: 230 } });
    await waitFor('the patch', () => text(visibleItems(el)[0], 'price')[0] === '230.00');
  });
});
