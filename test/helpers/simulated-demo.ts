import type { Browser } from 'playwright-core';
import { startSources } from '../../server/sources/start-sources.js';
import { launchChromium } from './chromium.mjs';
import { ensureKitBuilt } from './e2e.js';
import { startRelay, type InProcessRelay } from './relay.js';

/** The demo as `npm start` runs it (demo pages, the simulator feeding them) and a Chromium to look at it. */
export interface SimulatedDemo {
  relay: InProcessRelay;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the kit if needed, starts an in-process relay in demo mode with its feeds, and launches Chromium. */
export async function startSimulatedDemo(): Promise<SimulatedDemo> {
  ensureKitBuilt();
  const relay = await startRelay({ config: { SIMULATE: true, DEMO: true } });
  startSources(relay.ctx);
  const browser = await launchChromium();
  return {
    relay,
    browser,
    async close() {
      await browser.close();
      await relay.close();
    },
  };
}
