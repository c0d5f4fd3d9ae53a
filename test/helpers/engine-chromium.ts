import type { Page } from 'playwright-core';
import { recordPageErrors } from './browser.js';
import { launchChromium } from './chromium.mjs';
import { EventRecordingPage, type TestBrowser } from './engines.js';

/** Chromium through playwright-core: the page API of engines.ts over Playwright's. */
class ChromiumPage extends EventRecordingPage {
  constructor(protected override readonly page: Page) {
    super(page);
    this.recordedErrors = recordPageErrors(page);
    page.on('request', (r) => this.recordedRequests.push(r.url()));
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  url(): string {
    return this.page.url();
  }

  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg);
  }

  async failRequests(pattern: RegExp): Promise<void> {
    await this.page.route(pattern, (route) => route.abort('failed'));
  }
}

export async function launchChromiumBrowser(): Promise<TestBrowser> {
  const browser = await launchChromium();
  return {
    engine: 'chromium',
    async newContext(options = {}) {
      const context = await browser.newContext();
      if (options.initScript) await context.addInitScript(options.initScript);
      return {
        newPage: async () => new ChromiumPage(await context.newPage()),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
