import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../../src/elements/live-indicator/live-indicator.js';
import '../../../src/elements/league-standings/league-standings.js';
import '../../../src/elements/rss-feed/rss-feed.js';
import '../../../src/elements/service-status/service-status.js';
import '../../../src/elements/live-price-chart/live-price-chart.js';
import type { LivePriceChart } from '../../../src/elements/live-price-chart/live-price-chart.js';

// axe-core (through chai-a11y-axe) on every element, in the light and the dark theme, while it
// loads and with data: contrast, names, roles and table structure (issue 14: accessibility 100).

const now = Date.now();
const iso = new Date(now).toISOString();

/** Each element, with data in every state it draws: every badge, a progress bar, a link, ties. */
const WITH_DATA: Record<string, { template: (theme: string) => TemplateResult; load: (el: HTMLElement) => void | Promise<void> }> = {
  'league-standings': {
    template: (theme) => html`<league-standings theme=${theme} key="premier" rows="3"></league-standings>`,
    load: (el) => {
      (el as unknown as { items: unknown }).items = {
        premier: {
          name: 'Premier Division',
          season: '2026',
          teams: [
            { id: 'a', rank: 1, name: 'Dockside Otters', wins: 5, losses: 1, ties: 1, pointsFor: 120 },
            { id: 'b', rank: 2, name: 'Lighthouse Keepers', wins: 3, losses: 3, ties: 0, pointsFor: 98 },
          ],
        },
      };
    },
  },
  'service-status': {
    template: (theme) => html`<service-status theme=${theme} rows="5"></service-status>`,
    load: (el) => {
      (el as unknown as { items: unknown }).items = {
        a: { name: 'Ingest pipeline', status: 'running', progress: 40, queued: 60, processed: 40, message: 'indexing', updatedAt: iso },
        b: { name: 'Billing run', status: 'completed', updatedAt: iso },
        c: { name: 'Search indexer', status: 'failed', message: 'disk full', updatedAt: iso },
        d: { name: 'Nightly reports', status: 'degraded', updatedAt: iso },
        e: { name: 'Mailer', status: 'idle', updatedAt: iso },
      };
    },
  },
  'rss-feed': {
    template: (theme) => html`<rss-feed theme=${theme} limit="3"></rss-feed>`,
    load: (el) => {
      (el as unknown as { items: unknown }).items = {
        news: [
          { id: '1', title: 'A linked headline', link: 'https://example.com/1', published: iso, source: 'Wire' },
          { id: '2', title: 'A headline without a usable link', link: 'javascript:alert(1)', published: iso, source: 'Wire' },
        ],
      };
    },
  },
  'live-price-chart': {
    template: (theme) => html`<live-price-chart theme=${theme} key="4151" period="1h" fields="high,low" style="width:600px"></live-price-chart>`,
    load: async (el) => {
      const t = Array.from({ length: 30 }, (_, i) => now - (30 - i) * 60_000);
      (el as LivePriceChart).history = {
        topic: 'prices',
        key: '4151',
        period: '1h',
        lastEventId: `${t[29]}-0`,
        sampled: false,
        t,
        series: { high: t.map((_, i) => 100 + i), low: t.map((_, i) => 90 + i) },
      } as LivePriceChart['history'];
      await waitUntil(() => el.shadowRoot!.querySelector('.plot canvas'), 'uPlot never drew', { timeout: 5000 });
    },
  },
};

for (const theme of ['light', 'dark']) {
  describe(`accessibility, ${theme} theme`, () => {
    for (const [tag, { template, load }] of Object.entries(WITH_DATA)) {
      it(`<${tag}> while loading`, async () => {
        const el = await fixture<HTMLElement>(template(theme));
        expect(el.getAttribute('phase')).to.equal('loading');
        await expect(el).to.be.accessible();
      });

      it(`<${tag}> with data`, async () => {
        const el = await fixture<HTMLElement>(template(theme));
        await load(el);
        await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
        expect(el.getAttribute('phase')).to.equal('ready');
        await expect(el).to.be.accessible();
      });

      it(`<${tag}> in its error state`, async () => {
        const el = await fixture<HTMLElement>(template(theme));
        (el as unknown as { error: unknown }).error = { code: 'forbidden', message: 'the relay refused this topic' };
        await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
        await expect(el).to.be.accessible();
      });
    }

    it('<live-indicator> on a page of its colour scheme', async () => {
      // The indicator sits on the page's background: the wrapper plays the page.
      const page = await fixture<HTMLElement>(
        html`<div style=${`color-scheme:${theme};background:${theme === 'dark' ? '#0b1020' : '#ffffff'};padding:8px`}><live-indicator theme=${theme}></live-indicator></div>`,
      );
      await expect(page).to.be.accessible();
    });
  });
}
