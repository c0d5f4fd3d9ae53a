import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { ensureKitBuilt, waitForPageLive } from '../helpers/e2e.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

// The demo pages run under their Content-Security-Policy (issue 12, item 12): the kit, its lazy
// chunks, the SharedWorker, the stream and the snapshots all load from the relay's own origin, and
// Chromium reports no violation.

let relay: InProcessRelay;
let browser: Browser;

before(async () => {
  ensureKitBuilt();
  relay = await startRelay({ config: { DEMO: true, SIMULATE: true, SEQUIN_WEBHOOK_SECRET: 'sequin-secret-0123456789', DEMO_GENERATED_SECRET: true } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await relay?.close();
});

/** Records every CSP violation the page (or its workers' documents) reports. */
function recordViolations(): void {
  const w = window as unknown as { __violations: string[] };
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
}

for (const path of ['/', '/cms.html', '/drive.html']) {
  test(`${path} runs under its CSP without a violation`, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript(recordViolations);
      const errors = recordPageErrors(page);
      const res = await page.goto(`${relay.url}${path}`);
      assert.match(res?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      await waitForPageLive(page);
      if (path === '/drive.html') {
        // The drive page read its settings and can send through the webhook.
        await page.waitForFunction(() => (document.getElementById('cmd-sequin')?.textContent ?? '').includes('curl'), undefined, { timeout: 10_000 });
        await page.click('[data-send="sequin"]');
        await page.waitForFunction(() => /^200 /.test(document.getElementById('out-sequin')?.textContent ?? ''), undefined, { timeout: 10_000 });
      }
      // Let late chunks and the worker settle before reading the record.
      await page.waitForTimeout(500);
      const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
      assert.deepEqual(violations, [], `CSP violations on ${path}`);
      assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), [], `CSP errors on ${path}`);
    } finally {
      await context.close();
    }
  });
}
