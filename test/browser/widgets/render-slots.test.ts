import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/live-source/live-source.js';
import '../../../src/elements/service-status/service-status.js';
import '../../../src/elements/league-standings/league-standings.js';
import '../../../src/elements/live-ticker/live-ticker.js';
import type { ServiceStatus } from '../../../src/elements/service-status/service-status.js';
import { SLOT_MS } from '../../../src/elements/shared/render-slot.js';
import { publish, relays, uniqueTopic, waitFor } from '../helpers.js';

/**
 * The page's render slots: live data that reaches several widgets at different moments of one
 * slot is shown by all of them in one frame (a frame restyles, lays out, paints and commits the
 * whole host page); what the page or its reader does is shown at once.
 */

/** The number of the frame each shadow root first changes in, from now on. */
function frameOfChange(els: HTMLElement[]): { frames: Array<number | undefined>; stop(): void } {
  let frame = 0;
  let on = true;
  const tick = () => {
    frame++;
    if (on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const frames: Array<number | undefined> = els.map(() => undefined);
  const observers = els.map((el, i) => {
    const o = new MutationObserver(() => (frames[i] ??= frame));
    o.observe(el.shadowRoot!, { subtree: true, childList: true, characterData: true, attributes: true });
    return o;
  });
  return {
    frames,
    stop: () => {
      on = false;
      observers.forEach((o) => o.disconnect());
    },
  };
}

const service = (progress: number) => ({ name: 'API', status: 'running', progress });

describe('render slots', () => {
  it('live batches that reach two widgets 40 ms apart are shown in the same frame', async () => {
    const { main } = await relays();
    const [a, b] = [uniqueTopic('slota'), uniqueTopic('slotb')];
    await publish(main, [
      { topic: a, key: 'x', op: 'upsert', data: service(10) },
      { topic: b, key: 'x', op: 'upsert', data: service(10) },
    ]);
    const source = await fixture(html`<live-source relay=${main}><service-status topic=${a}></service-status><service-status topic=${b}></service-status></live-source>`);
    const els = [...source.querySelectorAll('service-status')] as ServiceStatus[];
    const shown = (el: ServiceStatus) => el.shadowRoot!.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow');
    await waitFor('both ready', () => els.every((el) => shown(el) === '10'));
    await new Promise((r) => setTimeout(r, 300));

    // Early in a slot, so both batches arrive before it ends.
    await new Promise((r) => setTimeout(r, SLOT_MS - (performance.now() % SLOT_MS) + 5));
    const seen = frameOfChange(els);
    try {
      await publish(main, { topic: a, key: 'x', op: 'patch', data: { progress: 20 } });
      await new Promise((r) => setTimeout(r, 40));
      await publish(main, { topic: b, key: 'x', op: 'patch', data: { progress: 20 } });
      await waitFor('both shown', () => els.every((el) => shown(el) === '20'), 3000);
      expect(els.every((el) => el.items.get('x') && (el.items.get('x') as { progress: number }).progress === 20)).to.equal(true);
      expect(seen.frames[0], 'a frame number').to.be.a('number');
      expect(seen.frames[1], 'the frame each widget changed in').to.equal(seen.frames[0]);
    } finally {
      seen.stop();
    }
  });

  it('a reader\'s action and a property the page sets are shown in the next frame, not at a slot', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('slotnow');
    await publish(main, { topic, key: 'ACME', op: 'upsert', data: { symbol: 'ACME', price: 10, change: 0 } });
    const source = await fixture(html`<live-source relay=${main}><live-ticker topic=${topic} locale="en-US"></live-ticker></live-source>`);
    const ticker = source.querySelector('live-ticker')!;
    await waitFor('ready', () => /10/.test(ticker.shadowRoot!.textContent!));
    const button = ticker.shadowRoot!.querySelector<HTMLButtonElement>('[part="pause-button"]')!;
    button.click();
    await new Promise((r) => requestAnimationFrame(r));
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    ticker.setAttribute('label', 'Trades now');
    await new Promise((r) => requestAnimationFrame(r));
    expect(ticker.shadowRoot!.querySelector('[part="viewport"]')!.getAttribute('aria-label')).to.match(/^Trades now/);
  });
});
