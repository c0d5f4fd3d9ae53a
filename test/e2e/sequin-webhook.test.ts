import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { ensureKitBuilt, shadowText, waitForPageLive } from '../helpers/e2e.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';

// A Sequin webhook delivery (bearer auth, as Sequin sends it) for a row of a table mapped to the
// `leagues` topic reaches an open dashboard within a second.

const SECRET = 'sequin-e2e-secret-0123456789';
let relay: InProcessRelay;
let browser: Browser;

const league = (teams: Array<{ id: string; name: string; wins: number; losses: number }>) => ({
  name: 'Premier Division',
  season: '2026',
  teams: teams.map((t, i) => ({ ...t, rank: i + 1 })),
});

before(async () => {
  ensureKitBuilt();
  relay = await startRelay({ config: { DEMO: true, SEQUIN_WEBHOOK_SECRET: SECRET, SEQUIN_TOPIC_MAP: ['yahoo_leagues:leagues'] } });
  const seeded = await publish(relay.url, {
    topic: 'leagues',
    key: 'premier',
    op: 'upsert',
    data: league([
      { id: 't1', name: 'Harbor City', wins: 5, losses: 1 },
      { id: 't2', name: 'North Vale', wins: 3, losses: 3 },
      { id: 't3', name: 'Old Mill', wins: 1, losses: 5 },
    ]),
  });
  assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await relay?.close();
});

test('a Sequin webhook that changes a league row shows on the open page within 1 s', async () => {
  const page = await browser.newPage();
  const errors = recordPageErrors(page);
  await page.goto(`${relay.url}/`);
  await waitForPageLive(page);
  const standings = 'league-standings[key="premier"]';
  assert.ok((await shadowText(page, standings)).includes('Old Mill'), `the seeded league should show; page errors: ${errors.join('; ')}`);

  // The last-placed team is renamed and wins twice: a row the page must re-render.
  const message = {
    record: {
      id: 'premier',
      ...league([
        { id: 't3', name: 'Old Mill Wanderers', wins: 7, losses: 5 },
        { id: 't1', name: 'Harbor City', wins: 5, losses: 1 },
        { id: 't2', name: 'North Vale', wins: 3, losses: 3 },
      ]),
    },
    changes: { teams: null },
    action: 'update',
    metadata: { table_schema: 'public', table_name: 'yahoo_leagues', idempotency_key: `e2e-${Date.now()}`, commit_timestamp: new Date().toISOString() },
  };
  const started = Date.now();
  const res = await fetch(`${relay.url}/v1/webhooks/sequin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` },
    body: JSON.stringify(message),
  });
  assert.equal(res.status, 200, await res.text());
  // An off-screen widget renders what it holds once seen: look at the standings, as a visitor would.
  await page.evaluate(() => document.querySelector('league-standings[key="premier"]')?.scrollIntoView({ block: 'nearest' }));
  await page.waitForFunction(
    () => {
      const el = document.querySelector('league-standings[key="premier"]');
      return el?.shadowRoot?.textContent?.includes('Old Mill Wanderers') ?? false;
    },
    undefined,
    { timeout: 5000, polling: 'raf' },
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1000, `the change took ${elapsed} ms to show; it must take under 1 s`);

  // Playwright's CSS locators pierce open shadow roots: find the rendered row of the renamed team.
  const row = page.locator(`${standings} tr, ${standings} [role="row"]`).filter({ hasText: 'Old Mill Wanderers' });
  assert.match(await row.first().innerText(), /\b7\b/, 'the row shows the new win count');
  assert.deepEqual(errors, [], 'the page logged no errors');
  await page.close();
});

test('a webhook with the wrong bearer secret changes nothing on the page', async () => {
  const page = await browser.newPage();
  await page.goto(`${relay.url}/`);
  await waitForPageLive(page);
  const res = await fetch(`${relay.url}/v1/webhooks/sequin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer not-the-secret-0123456789' },
    body: JSON.stringify({
      record: { id: 'premier', ...league([{ id: 't9', name: 'Intruders', wins: 99, losses: 0 }]) },
      action: 'update',
      metadata: { table_name: 'yahoo_leagues', idempotency_key: `bad-${Date.now()}` },
    }),
  });
  assert.equal(res.status, 401);
  // A marker published after the refused delivery proves the page is current when checked.
  await publish(relay.url, { topic: 'services', key: 'marker', op: 'upsert', data: { name: 'Marker', status: 'idle', updatedAt: new Date().toISOString() } });
  await page.evaluate(() => document.querySelector('service-status')?.scrollIntoView({ block: 'nearest' }));
  await page.waitForFunction(() => document.querySelector('service-status')?.shadowRoot?.textContent?.includes('Marker') ?? false, undefined, { timeout: 5000 });
  assert.ok(!(await shadowText(page, 'league-standings')).includes('Intruders'));
  await page.close();
});
