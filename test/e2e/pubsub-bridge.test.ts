import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { RedisBus } from '../../server/bus/redis-bus.js';
import { startSources } from '../../server/sources/start-sources.js';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { PAGE_POLL_MS, ensureKitBuilt, shadowText, waitForPageLive } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

// A services-monitor worker's `redis-cli PUBLISH service:<name> {...}` shows up in the dashboard's
// <service-status>, through the Redis Pub/Sub bridge (PUBSUB_BRIDGE) and the open stream.

const run = promisify(execFile);
let redis: PrivateRedis;
let relay: InProcessRelay;
let browser: Browser;

before(async () => {
  ensureKitBuilt();
  redis = await startRedis();
  const bus = await RedisBus.connect({ ...TEST_BUS_OPTIONS, url: redis.url, prefix: 'e2e:' });
  relay = await startRelay({ config: { REDIS_URL: redis.url, REDIS_PREFIX: 'e2e:', PUBSUB_BRIDGE: ['service:*=services'], PUBSUB_BRIDGE_FIELD: 'status', DEMO: true }, bus });
  startSources(relay.ctx);
  await waitUntil(
    async () => {
      const clients = (await run('redis-cli', ['-p', String(redis.port), 'CLIENT', 'LIST'])).stdout;
      const lease = (await run('redis-cli', ['-p', String(redis.port), 'EXISTS', 'e2e:pubsub-bridge:lease'])).stdout.trim();
      return /name=live-elements:pubsub-bridge .*psub=1/.test(clients) && lease === '1';
    },
    'the bridge to subscribe and take its lease',
    10_000,
    PAGE_POLL_MS,
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await relay?.close();
  await redis?.stop();
});

test('redis-cli PUBLISH service:balance-sync shows in <service-status>', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = recordPageErrors(page);
  await page.goto(`${relay.url}/`);
  await waitForPageLive(page);
  const message = { service: 'balance-sync', timestamp: Math.floor(Date.now() / 1000), status: { name: 'Balance sync', status: 'running', progress: 40, message: 'reconciling ledgers', updatedAt: new Date().toISOString() } };
  await run('redis-cli', ['-p', String(redis.port), 'PUBLISH', 'service:balance-sync', JSON.stringify(message)]);
  await waitUntil(async () => (await shadowText(page, 'service-status')).includes('Balance sync'), 'the row in <service-status>', 10_000, PAGE_POLL_MS);
  const text = await shadowText(page, 'service-status');
  assert.match(text, /Balance sync\s*running/);
  assert.ok(text.includes('reconciling ledgers'));
  assert.deepEqual(errors, []);
  await page.close();
});
