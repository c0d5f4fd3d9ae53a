import type { Browser, Page } from 'puppeteer-core';
import type { BrowserLauncher } from '@web/test-runner-core';
import { launchFirefox } from '../../helpers/firefox.js';

/**
 * web-test-runner's browser launcher for Firefox through puppeteer-core over WebDriver BiDi
 * (@web/test-runner-puppeteer is not installed; this is the part of it these tests need): one
 * browser, one tab per test file.
 */
export function firefoxLauncher(): BrowserLauncher {
  let browser: Promise<Browser> | null = null;
  const pages = new Map<string, Page>();
  return {
    name: 'Firefox',
    type: 'puppeteer-firefox',
    async startSession(sessionId, url) {
      browser ??= launchFirefox();
      const page = await (await browser).newPage();
      pages.set(sessionId, page);
      await page.goto(url);
    },
    isActive: (sessionId) => pages.has(sessionId),
    getBrowserUrl: (sessionId) => pages.get(sessionId)?.url(),
    async stopSession(sessionId) {
      const page = pages.get(sessionId);
      pages.delete(sessionId);
      await page?.close();
      return {};
    },
    startDebugSession() {
      throw new Error('the Firefox launcher has no debug mode: run the tests in Chromium with --manual');
    },
    async stop() {
      if (browser) await (await browser).close();
    },
  };
}
