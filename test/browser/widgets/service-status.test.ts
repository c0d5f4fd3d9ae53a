import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/elements/service-status/service-status.js';
import type { ServiceStatus } from '../../../src/elements/service-status/service-status.js';

const now = new Date().toISOString();
const snapshot = {
  'api-1': { name: 'API', status: 'running', progress: 42, queued: 1200, processed: 3400, message: 'indexing', updatedAt: now },
  'db-1': { name: 'Database', status: 'completed', updatedAt: now },
};

async function ready(): Promise<ServiceStatus> {
  const el = await fixture<ServiceStatus>(html`<service-status locale="en-US"></service-status>`);
  el.items = snapshot;
  await el.updateComplete;
  return el;
}

function rows(el: ServiceStatus): HTMLTableRowElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLTableRowElement>('tbody tr')];
}

describe('<service-status>', () => {
  describe('states', () => {
    it('is loading until data arrives, with a busy region', async () => {
      const el = await fixture<ServiceStatus>(html`<service-status></service-status>`);
      expect(el.getAttribute('phase')).to.equal('loading');
      expect(el.shadowRoot!.querySelector('[part="loading"]')).to.exist;
      expect(el.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-busy')).to.equal('true');
    });

    it('shows the empty slot when there are no services', async () => {
      const el = await fixture<ServiceStatus>(html`<service-status><a slot="empty" href="/setup">add a service</a></service-status>`);
      el.items = {};
      await el.updateComplete;
      expect(el.hasAttribute('empty')).to.equal(true);
      const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="empty"]')!;
      expect(slot.assignedElements()[0].textContent).to.equal('add a service');
    });

    it('shows the error as an alert', async () => {
      const el = await fixture<ServiceStatus>(html`<service-status></service-status>`);
      el.error = { code: 'forbidden', message: 'the relay refused this topic' };
      await el.updateComplete;
      expect(el.getAttribute('phase')).to.equal('error');
      const err = el.shadowRoot!.querySelector('[part="error"]')!;
      expect(err.getAttribute('role')).to.equal('alert');
      expect(err.textContent).to.contain('the relay refused this topic');
    });
  });

  describe('rendering', () => {
    it('is a table from 48em up with room for every header and an "N seconds ago", and stacks below (a half-width dashboard card)', async () => {
      const wide = await fixture<ServiceStatus>(html`<service-status locale="en-US" style="width:680px"></service-status>`);
      wide.items = { ...snapshot, 'db-1': { ...snapshot['db-1'], updatedAt: new Date(Date.now() - 12_000).toISOString() } };
      await wide.updateComplete;
      expect(getComputedStyle(wide.shadowRoot!.querySelector('thead')!).position, 'a table at 680px').to.not.equal('absolute');
      for (const th of wide.shadowRoot!.querySelectorAll<HTMLTableCellElement>('thead th')) expect(th.scrollWidth, `"${th.textContent}" fits its column`).to.be.at.most(th.clientWidth + 1);
      const badge = rows(wide)[1].querySelector('[part="badge"]')!;
      expect(badge.textContent).to.equal('completed');
      expect(badge.getBoundingClientRect().right, 'the longest badge fits its column').to.be.at.most(badge.parentElement!.getBoundingClientRect().right);
      const time = rows(wide)[1].querySelector('time')!;
      expect(time.textContent).to.equal('12 seconds ago');
      expect(time.parentElement!.scrollWidth, 'the time is not cut').to.be.at.most(time.parentElement!.clientWidth + 1);
      const half = await fixture<ServiceStatus>(html`<service-status locale="en-US" style="width:576px"></service-status>`);
      half.items = snapshot;
      await half.updateComplete;
      expect(getComputedStyle(half.shadowRoot!.querySelector('tbody > tr')!).display, 'stacked at 576px').to.equal('grid');
    });

    it('draws no header over its neighbour when the other columns leave one little room', async () => {
      // Wide cell padding leaves the message column little room.
      const el = await fixture<ServiceStatus>(html`<service-status locale="en-US" style="width:690px; --service-status-cell-padding: 0.4em 2em"></service-status>`);
      el.items = snapshot;
      await el.updateComplete;
      const headers = [...el.shadowRoot!.querySelectorAll<HTMLTableCellElement>('thead th')];
      const overflowing = headers.filter((th) => th.scrollWidth > th.clientWidth + 1);
      expect(overflowing.length, 'a header longer than its column at this width').to.be.greaterThan(0);
      for (const th of overflowing) expect(getComputedStyle(th).overflowX, `"${th.textContent}" is cut at its column's edge`).to.not.equal('visible');
    });

    it('renders the snapshot: badges, progress bar while running, counts, message', async () => {
      const el = await ready();
      expect(el.getAttribute('phase')).to.equal('ready');
      const [api, db] = rows(el);
      expect(api.querySelector('[part="name"]')!.textContent).to.equal('API');
      expect(api.querySelector('[part="badge"]')!.getAttribute('data-status')).to.equal('running');
      const bar = api.querySelector('[role="progressbar"]')!;
      expect(bar.getAttribute('aria-valuenow')).to.equal('42');
      expect(bar.getAttribute('aria-valuemax')).to.equal('100');
      expect(bar.getAttribute('aria-label')).to.equal('API progress');
      expect(api.querySelector('[part="counts"]')!.textContent!.trim()).to.equal('1,200 / 3,400');
      expect(api.querySelector('[part="message"]')!.textContent).to.equal('indexing');
      expect(db.querySelector('[part="badge"]')!.textContent).to.equal('completed');
      expect(db.querySelector('[role="progressbar"]')).to.equal(null);
      expect(db.querySelector('time')!.getAttribute('datetime')).to.equal(now);
    });

    it('reflects the most severe status for CSS', async () => {
      const el = await ready();
      expect(el.getAttribute('status')).to.equal('running');
      el.applyEvents([{ topic: 'services', key: 'db-1', op: 'patch', data: { status: 'failed' } }]);
      await el.updateComplete;
      expect(el.getAttribute('status')).to.equal('failed');
      el.key = 'api-1';
      await el.updateComplete;
      expect(el.getAttribute('status')).to.equal('running');
    });

    it('formats numbers with the locale', async () => {
      const el = await ready();
      el.locale = 'de-DE';
      await el.updateComplete;
      expect(rows(el)[0].querySelector('[part="counts"]')!.textContent!.trim()).to.equal('1.200 / 3.400');
    });

    it('has its parts, a labelled region and a polite live region', async () => {
      const el = await ready();
      const root = el.shadowRoot!;
      for (const part of ['base', 'table', 'row', 'name', 'badge', 'progress', 'progress-value', 'counts', 'message', 'time', 'announcer']) {
        expect(root.querySelector(`[part~="${part}"]`), part).to.exist;
      }
      expect(root.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('Service status');
      const live = root.querySelector('[part="announcer"]')!;
      expect(live.getAttribute('aria-live')).to.equal('polite');
      el.label = 'Build jobs';
      await el.updateComplete;
      expect(root.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('Build jobs');
    });

    it('reflects theme for CSS and switches colours', async () => {
      const el = await ready();
      el.theme = 'dark';
      await el.updateComplete;
      expect(el.getAttribute('theme')).to.equal('dark');
      expect(getComputedStyle(el).backgroundColor).to.equal('rgb(22, 25, 29)');
      el.theme = 'light';
      await el.updateComplete;
      expect(getComputedStyle(el).backgroundColor).to.equal('rgb(255, 255, 255)');
    });
  });

  describe('events', () => {
    it('applies upsert, patch and delete, highlights and announces the change, fires live-change', async () => {
      const el = await ready();
      const fired = oneEvent(el, 'live-change');
      el.applyEvents([{ topic: 'services', key: 'api-1', op: 'patch', data: { status: 'failed', message: 'disk full' } }]);
      const ev = await fired;
      expect(ev.detail.keys).to.deep.equal(['api-1']);
      expect(ev.bubbles && ev.composed).to.equal(true);
      const api = rows(el)[0];
      expect(api.querySelector('[part="badge"]')!.getAttribute('data-status')).to.equal('failed');
      expect(api.querySelector('[part="message"]')!.textContent).to.equal('disk full');
      // patch keeps the other fields
      expect(api.querySelector('[part="counts"]')!.textContent!.trim()).to.equal('1,200 / 3,400');
      expect(api.getAttribute('part')).to.equal('row row-changed');
      expect(rows(el)[1].getAttribute('part')).to.equal('row');
      expect(el.shadowRoot!.querySelector('[part="announcer"]')!.textContent).to.equal('API failed');

      el.applyEvents([{ topic: 'services', key: 'q-1', op: 'upsert', data: { name: 'Queue', status: 'idle', updatedAt: now } }]);
      await el.updateComplete;
      expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['api-1', 'db-1', 'q-1']);

      el.applyEvents([{ topic: 'services', key: 'db-1', op: 'delete' }]);
      await el.updateComplete;
      expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['api-1', 'q-1']);
      expect(el.shadowRoot!.querySelector('[part="announcer"]')!.textContent).to.equal('Database removed');
    });

    it('drops the highlight after it ends', async () => {
      const el = await ready();
      el.applyEvents([{ topic: 'services', key: 'db-1', op: 'patch', data: { status: 'running' } }]);
      await el.updateComplete;
      expect(rows(el)[1].getAttribute('part')).to.equal('row row-changed');
      await waitUntil(() => rows(el)[1].getAttribute('part') === 'row', 'highlight never ended', { timeout: 4000 });
    });
  });

  describe('hostile data', () => {
    it('renders names and messages as text', async () => {
      const el = await fixture<ServiceStatus>(html`<service-status></service-status>`);
      (window as unknown as { pwned?: boolean }).pwned = false;
      el.items = {
        x: { name: '<img src=x onerror="window.pwned=true">', status: '<b>bold</b>', message: '<script>window.pwned=true</script>', updatedAt: now },
      };
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 50));
      const root = el.shadowRoot!;
      expect(root.querySelector('img')).to.equal(null);
      expect(root.querySelector('script')).to.equal(null);
      expect(root.querySelector('[part="name"]')!.textContent).to.equal('<img src=x onerror="window.pwned=true">');
      expect(root.querySelector('[part="badge"]')!.getAttribute('data-status')).to.equal('idle');
      expect((window as unknown as { pwned?: boolean }).pwned).to.equal(false);
    });
  });
});
