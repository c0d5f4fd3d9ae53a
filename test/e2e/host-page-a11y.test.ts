import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { waitForPageLive } from '../helpers/e2e.js';
import type { InProcessRelay } from '../helpers/relay.js';
import { startSimulatedDemo, type SimulatedDemo } from '../helpers/simulated-demo.js';

// The demo pages as a visitor sees them, fed by the simulator, audited by axe-core in the light
// and the dark colour scheme (issue 14: accessibility 100): the widgets' defaults and the pages'
// own colours (the dashboard's links, the CMS byline, the indicator's "updated … ago").

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

let relay: InProcessRelay;
let browser: Browser;

let demo: SimulatedDemo;

before(async () => {
  demo = await startSimulatedDemo();
  ({ relay, browser } = demo);
});

after(() => demo?.close());

for (const path of ['/', '/cms.html']) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`${path} in the ${scheme} scheme: axe finds nothing`, async () => {
      // Reduced motion: a row caught mid-flash is not what a reader reads (its colours are checked in the browser tests).
      // bypassCSP: the demo pages' CSP refuses inline scripts, and axe is injected as one.
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, reducedMotion: 'reduce', bypassCSP: true });
      try {
        await page.goto(`${relay.url}${path}`);
        await waitForPageLive(page, 20_000);
        // "updated … ago" shows once an event has come.
        await page.waitForFunction(() => document.querySelector('live-indicator')?.shadowRoot?.querySelector('[part="updated"]'), undefined, { timeout: 10_000 });
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }> }> } }).axe;
          const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
          return r.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`).join('; ')}`);
        });
        assert.deepEqual(violations, []);
      } finally {
        await page.close();
      }
    });
  }
}
