import type { BrowserLauncher } from '@web/test-runner-core';
import { startWebKitSession, startXvfb, type VirtualDisplay, type WebDriverSession } from '../../helpers/webdriver.js';

/**
 * web-test-runner's browser launcher for WebKit through WebKitGTK's WebDriver on a private Xvfb
 * (see test/helpers/webdriver.ts): one MiniBrowser, one window per test file, one file at a time.
 */
export function webkitLauncher(): BrowserLauncher {
  let started: Promise<{ xvfb: VirtualDisplay; session: WebDriverSession }> | null = null;
  let active: { id: string; url: string } | null = null;
  const start = async () => {
    const xvfb = await startXvfb();
    return { xvfb, session: await startWebKitSession(xvfb.display) };
  };
  return {
    name: 'WebKit',
    type: 'webdriver-webkit',
    // One window: one test file at a time.
    concurrency: 1,
    async startSession(sessionId, url) {
      started ??= start();
      const { session } = await started;
      active = { id: sessionId, url };
      await session.navigate(url);
    },
    isActive: (sessionId) => active?.id === sessionId,
    getBrowserUrl: (sessionId) => (active?.id === sessionId ? active.url : undefined),
    async stopSession() {
      active = null;
      // The next file gets a new window and this one closes. Navigating away would leave the page
      // in WebKit's back-forward cache, keeping its SharedWorker (and the worker's stream) alive
      // into the next file, which counts the relay's streams.
      const { session } = await started!;
      const { handle } = await session.command<{ handle: string }>('POST', '/window/new', { type: 'window' });
      await session.command('DELETE', '/window');
      await session.command('POST', '/window', { handle });
      return {};
    },
    startDebugSession() {
      throw new Error('the WebKit launcher has no debug mode: run the tests in Chromium with --manual');
    },
    async stop() {
      if (!started) return;
      const { xvfb, session } = await started;
      await session.end();
      await xvfb.stop();
    },
  };
}
