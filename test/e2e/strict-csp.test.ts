import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { ensureKitBuilt, waitForPageLive } from '../helpers/e2e.js';
import { freePort } from '../helpers/redis-server.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { demoSeed } from './fixtures.js';

// A news or shop site with a strict Content-Security-Policy (issue 14): no inline styles
// (`style-src 'self'`), Trusted Types required, scripts and connections only from the relay. The
// kit, loaded from the relay with `data-worker="false"`, must run there without one violation,
// and what it styles from script (a progress bar's width) must still show.

let relay: InProcessRelay;
let site: Server;
let siteUrl: string;
let browser: Browser;

/** The policy the README gives host pages, for a kit loaded from `relay`. */
function policy(relayUrl: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${relayUrl}`,
    `connect-src ${relayUrl}`,
    "worker-src 'self'",
    "style-src 'self'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}

function page(relayUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A strict host page</title>
<link rel="stylesheet" href="/page.css">
<script src="${relayUrl}/live-elements.js" data-relay="${relayUrl}" data-worker="false" defer></script>
</head>
<body>
<main>
  <h1>A strict host page</h1>
  <live-indicator></live-indicator>
  <live-price-chart topic="prices" key="4151" period="1h" fields="high,low"></live-price-chart>
  <league-standings topic="leagues" key="premier"></league-standings>
  <rss-feed topic="rss" key="demo" limit="3"></rss-feed>
  <service-status topic="services"></service-status>
</main>
</body>
</html>`;
}

before(async () => {
  ensureKitBuilt();
  const port = await freePort();
  siteUrl = `http://localhost:${port}`;
  relay = await startRelay({ config: { CORS_ORIGINS: [siteUrl] } });
  assert.equal((await publish(relay.url, demoSeed())).status, 200);
  const html = page(relay.url);
  site = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy(relay.url) }).end(html);
    } else if (req.url === '/page.css') {
      res.writeHead(200, { 'Content-Type': 'text/css' }).end('body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 720px; padding: 16px; }');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    site?.closeAllConnections();
    site ? site.close(() => resolve()) : resolve();
  });
  await relay?.close();
});

test('under style-src \'self\' and required Trusted Types the kit runs without a violation, and its progress bars keep their width', async () => {
  const tab = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  try {
    const errors = recordPageErrors(tab);
    await tab.addInitScript({
      content: `window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' in ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample));`,
    });
    await tab.goto(siteUrl);
    await waitForPageLive(tab);
    // The chart's legend is drawn once its history is in.
    await tab.waitForFunction(() => (document.querySelector('live-price-chart')?.shadowRoot?.querySelector('canvas')?.width ?? 0) > 0, undefined, { timeout: 15_000 });

    const bar = await tab.evaluate(() => {
      const track = document.querySelector('service-status')!.shadowRoot!.querySelector<HTMLElement>('[part="progress"]')!;
      const value = track.querySelector<HTMLElement>('[part="progress-value"]')!;
      return { track: track.getBoundingClientRect().width, value: value.getBoundingClientRect().width, now: track.getAttribute('aria-valuenow') };
    });
    assert.equal(bar.now, '40', 'the seeded running service is at 40%');
    assert.ok(Math.abs(bar.value / bar.track - 0.4) < 0.02, `the progress bar is ${bar.value} px of a ${bar.track} px track; expected 40%`);

    const swatches = await tab.evaluate(() =>
      [...document.querySelector('live-price-chart')!.shadowRoot!.querySelectorAll<HTMLElement>('.swatch')].map((s) => getComputedStyle(s).backgroundColor),
    );
    assert.equal(swatches.length, 2, 'one legend swatch per field');
    assert.ok(swatches.every((c) => c !== 'rgba(0, 0, 0, 0)'), `every legend swatch has a colour: ${swatches.join(', ')}`);
    assert.notEqual(swatches[0], swatches[1], 'the two fields have different colours');

    const violations = await tab.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(errors.filter((e) => /Content Security Policy|TrustedHTML|Trusted Type/i.test(e)), [], 'the console reports no CSP or Trusted Types error');
  } finally {
    await tab.close();
  }
});
