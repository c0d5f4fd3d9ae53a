import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/elements/live-source/live-source.js';
import '../../src/elements/live-indicator/live-indicator.js';
import type { LiveIndicator } from '../../src/elements/live-indicator/live-indicator.js';
import { getConnection } from '../../src/core/index.js';
import { publish, relays, startRelay, stopRelay, uniqueTopic, waitFor } from './helpers.js';

const part = (el: LiveIndicator, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);

describe('<live-indicator>', () => {
  describe('accessibility', () => {
    it('puts the status text in a polite role="status" region and hides the dot from assistive tech', async () => {
      const el = await fixture<LiveIndicator>(html`<live-indicator></live-indicator>`);
      const label = el.shadowRoot!.querySelector('[role="status"]');
      expect(label).to.exist;
      expect(label!.getAttribute('part')).to.equal('label');
      expect(part(el, 'dot')!.getAttribute('aria-hidden')).to.equal('true');
      await expect(el).to.be.accessible();
    });
  });

  describe('properties and parts', () => {
    it('reflects status, shows "updated … ago" in its locale and keeps it fresh', async () => {
      const { main } = await relays();
      const topic = uniqueTopic('ind');
      const el = await fixture<LiveIndicator>(html`<live-source relay=${main}><live-indicator locale="de"></live-indicator></live-source>`).then((s) => s.querySelector('live-indicator')!);
      expect(el.getAttribute('status')).to.equal('closed');
      // The indicator shows the shared connection: it goes live once something subscribes.
      const sub = getConnection({ relay: main }).subscribe(topic, () => {});
      try {
        await waitFor('status open', () => el.getAttribute('status') === 'open');
        expect(part(el, 'label')!.textContent).to.equal('Live');
        expect(part(el, 'updated')).to.not.exist;
        await publish(main, { topic, key: 'a', op: 'upsert', data: 1 });
        await waitFor('an updated part', () => part(el, 'updated'));
        const first = part(el, 'updated')!.textContent!.trim();
        expect(first).to.match(/^updated (jetzt|vor \d+ Sek\.)/);
        await waitFor('the relative time ages', () => /vor [1-9]\d* Sek\./.test(part(el, 'updated')!.textContent!), 4000);
        expect(part(el, 'updated')!.querySelector('time')!.getAttribute('datetime')).to.match(/^\d{4}-\d\d-\d\dT/);
      } finally {
        sub.release();
      }
    });

    it('exposes theming through custom properties and a theme attribute', async () => {
      const el = await fixture<LiveIndicator>(html`<live-indicator theme="dark" style="--live-indicator-dot-size: 20px"></live-indicator>`);
      expect(el.getAttribute('theme')).to.equal('dark');
      const dot = part(el, 'dot') as HTMLElement;
      expect(getComputedStyle(dot).width).to.equal('20px');
    });
  });

  describe('events', () => {
    it('counts attempts while reconnecting and fires live-status-change', async () => {
      const { main } = await relays();
      const topic = uniqueTopic('indre');
      const el = await fixture<LiveIndicator>(html`<live-source relay=${main}><live-indicator></live-indicator></live-source>`).then((s) => s.querySelector('live-indicator')!);
      const sub = getConnection({ relay: main }).subscribe(topic, () => {});
      try {
        // The stream carries the topic once its snapshot is in: an event published before (while an
        // earlier test's stream is still open without it) would land in the snapshot, not as an event.
        await waitFor('status open, with the topic', () => el.status === 'open' && sub.phase === 'ready');
        await publish(main, { topic, key: 'a', op: 'upsert', data: 1 });
        await waitFor('an updated part', () => part(el, 'updated'));
        const changed = oneEvent(el, 'live-status-change');
        await stopRelay('main');
        const ev = await changed;
        expect(ev.detail.status).to.be.oneOf(['reconnecting', 'connecting']);
        await el.updateComplete;
        // Only the label's text changes: nothing after it is left to move when its width does.
        expect(part(el, 'updated'), '"updated … ago" only while live').to.not.exist;
        await waitFor('reconnecting with an attempt shown', () => el.status === 'reconnecting' && part(el, 'attempts')?.textContent?.includes('attempt'));
        expect(part(el, 'label')!.textContent).to.equal('Reconnecting…');
        await startRelay('main');
        await waitFor('open again', () => el.status === 'open', 20_000);
        expect(part(el, 'attempts')).to.not.exist;
        await waitFor('"updated … ago" again', () => part(el, 'updated'));
      } finally {
        sub.release();
        await startRelay('main');
      }
    });

    it('shows the relay\'s refusal (401) as an error', async () => {
      const { auth } = await relays();
      const el = await fixture<LiveIndicator>(html`<live-source relay=${auth} token="nope-token"><live-indicator></live-indicator></live-source>`).then((s) => s.querySelector('live-indicator')!);
      const sub = getConnection({ relay: auth, token: 'nope-token' }).subscribe(uniqueTopic('indauth'), () => {});
      try {
        await waitFor('error shown', () => el.hasAttribute('error'));
        expect(el.status).to.equal('closed');
        expect(part(el, 'label')!.textContent).to.match(/^Error: .*401/);
      } finally {
        sub.release();
      }
    });
  });
});
