import type { BrowserContext, Page } from 'playwright-core';

/**
 * Collects a page's console errors and uncaught exceptions, so a failing assertion can say what
 * the page itself complained about.
 */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // The failed load itself is reported below, with its URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`http ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? 'unknown';
    // The kit aborts its own stream when the page's selectors change (a widget's code arrived a
    // moment after the others' and the stream reopens with its topics too): not a failure.
    if (reason === 'net::ERR_ABORTED' && new URL(req.url()).pathname === '/v1/events') return;
    errors.push(`request failed: ${req.method()} ${req.url()} (${reason})`);
  });
  return errors;
}

/** Opens `count` pages of one context at `url` (tabs of one browser profile). */
export async function openTabs(context: BrowserContext, url: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(url);
    pages.push(page);
  }
  return pages;
}
