import type { BrowserContext, Page } from 'puppeteer-core';
import { EventRecordingPage, type TestBrowser } from './engines.js';
import { launchFirefox } from './firefox.js';

/** Firefox through puppeteer-core (WebDriver BiDi): the page API of engines.ts over Puppeteer's. */
class FirefoxPage extends EventRecordingPage {
  private readonly failing: RegExp[] = [];
  private lastUrl = 'about:blank';

  constructor(protected override readonly page: Page) {
    super(page);
    page.on('pageerror', (err) => this.recordedErrors.push(`pageerror: ${err instanceof Error ? err.message : String(err)}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.recordedErrors.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      // The browser's own favicon request (Chromium's headless shell makes none) is not the page's.
      if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') this.recordedErrors.push(`http ${res.status()}: ${res.request().method()} ${res.url()}`);
    });
    page.on('requestfailed', (req) => {
      const reason = req.failure()?.errorText ?? 'unknown';
      // The kit aborts its own stream when the page's selectors change (see recordPageErrors).
      if (/ABORT/i.test(reason) && new URL(req.url()).pathname === '/v1/events') return;
      this.recordedErrors.push(`request failed: ${req.method()} ${req.url()} (${reason})`);
    });
    page.on('request', (req) => {
      this.recordedRequests.push(req.url());
      if (!req.isInterceptResolutionHandled() && this.failing.length > 0) {
        if (this.failing.some((p) => p.test(req.url()))) void req.abort('failed');
        else void req.continue();
      }
    });
  }

  async goto(url: string): Promise<void> {
    this.lastUrl = url;
    await this.page.goto(url);
  }

  url(): string {
    return this.lastUrl;
  }

  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg) as Promise<R>;
  }

  async failRequests(pattern: RegExp): Promise<void> {
    if (this.failing.length === 0) await this.page.setRequestInterception(true);
    this.failing.push(pattern);
  }
}

export async function launchFirefoxBrowser(): Promise<TestBrowser> {
  const browser = await launchFirefox();
  return {
    engine: 'firefox',
    async newContext(options = {}) {
      const context: BrowserContext = await browser.createBrowserContext();
      return {
        async newPage() {
          const page = await context.newPage();
          if (options.initScript) await page.evaluateOnNewDocument(options.initScript);
          return new FirefoxPage(page);
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
