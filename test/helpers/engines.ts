import { after, before, describe } from 'node:test';
import { waitUntil } from './wait.js';

/*
 * The three browser engines the end-to-end tests run in, behind one small page API: Chromium
 * through playwright-core, Firefox through puppeteer-core (WebDriver BiDi), WebKit through
 * WebKitGTK's WebDriver (see engine-*.ts). The API holds only what those tests use.
 */

export const ALL_ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type Engine = (typeof ALL_ENGINES)[number];

/** Parses a BROWSERS value (`chromium,firefox,webkit`; empty: all three). */
export function parseEngines(value: string | undefined): Engine[] {
  if (!value?.trim()) return [...ALL_ENGINES];
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const n of names) {
    if (!(ALL_ENGINES as readonly string[]).includes(n)) {
      throw new Error(`BROWSERS names an unknown engine "${n}": use a comma-separated list of ${ALL_ENGINES.join(', ')}`);
    }
  }
  return names as Engine[];
}

/** The engines to test in: BROWSERS, else all three. */
export const ENGINES: Engine[] = parseEngines(process.env.BROWSERS);

/** One tab. */
export interface TestPage {
  goto(url: string): Promise<void>;
  /** The address last navigated to. */
  url(): string;
  /** Runs `fn(arg)` in the page and returns its result as JSON (a promise is awaited). */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Resolves when `fn(arg)` returns a truthy value in the page; fails after `timeoutMs` saying `what`. */
  waitForFunction<A = undefined>(what: string, fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void>;
  /**
   * What the page complained about so far: console errors, uncaught exceptions, answers of status
   * 400 and up, failed requests. (WebKit: also those of the other pages of its context.)
   */
  errors(): Promise<string[]>;
  /** The URLs the page requested so far. (WebKit: those of every page of its context.) */
  requested(): Promise<string[]>;
  /** From now on, requests whose URL matches `pattern` fail as a network error. */
  failRequests(pattern: RegExp): Promise<void>;
  /**
   * Closes the tab. `runBeforeUnload`: let its unload handlers run, as when a visitor closes it
   * (without it Chromium and Firefox drop the page at once; WebKit's WebDriver always runs them).
   */
  close(options?: { runBeforeUnload?: boolean }): Promise<void>;
  isClosed(): boolean;
}

/** One browser profile: its tabs share a SharedWorker, Web Locks and storage. */
export interface TestContext {
  newPage(): Promise<TestPage>;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Runs in every document of the context before the page's own scripts (no closure: it is sent as source). */
  initScript?: () => void;
}

export interface TestBrowser {
  readonly engine: Engine;
  newContext(options?: ContextOptions): Promise<TestContext>;
  close(): Promise<void>;
}

/** Polls `page.evaluate(fn, arg)`: the same waiting in every engine. */
export function waitInPage<A>(page: Pick<TestPage, 'evaluate'>, what: string, fn: (arg: A) => unknown, arg: A | undefined, timeoutMs = 10_000): Promise<void> {
  return waitUntil(() => page.evaluate(fn as (arg: A) => unknown, arg), what, timeoutMs, 50).then(() => {});
}

/**
 * The part of a page that Playwright (Chromium) and Puppeteer (Firefox) share: the driver reports
 * the page's errors and requests as events, which the subclass records here as they come.
 */
export abstract class EventRecordingPage implements TestPage {
  protected recordedErrors: string[] = [];
  protected readonly recordedRequests: string[] = [];

  constructor(protected readonly page: { close(options?: { runBeforeUnload?: boolean }): Promise<void>; isClosed(): boolean }) {}

  abstract goto(url: string): Promise<void>;
  abstract url(): string;
  abstract evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  abstract failRequests(pattern: RegExp): Promise<void>;

  waitForFunction<A = undefined>(what: string, fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void> {
    return waitInPage(this, what, fn, arg, timeoutMs);
  }

  async errors(): Promise<string[]> {
    return [...this.recordedErrors];
  }

  async requested(): Promise<string[]> {
    return [...this.recordedRequests];
  }

  async close(options: { runBeforeUnload?: boolean } = {}): Promise<void> {
    await this.page.close(options);
  }

  isClosed(): boolean {
    return this.page.isClosed();
  }
}

/** Launches `engine` headless (its processes are stopped by pid in `close`). */
export async function launchBrowser(engine: Engine): Promise<TestBrowser> {
  switch (engine) {
    case 'chromium':
      return (await import('./engine-chromium.js')).launchChromiumBrowser();
    case 'firefox':
      return (await import('./engine-firefox.js')).launchFirefoxBrowser();
    case 'webkit':
      return (await import('./engine-webkit.js')).launchWebKitBrowser();
  }
}

/**
 * Declares `body` once per engine of {@link ENGINES}, inside `describe('<title> in <engine>')`,
 * with a browser of that engine launched before its tests and closed after them.
 */
export function describeInEngines(title: string, body: (engine: Engine, browser: () => TestBrowser) => void): void {
  for (const engine of ENGINES) {
    describe(`${title} in ${engine}`, () => {
      let browser: TestBrowser | undefined;
      before(async () => {
        browser = await launchBrowser(engine);
      });
      after(async () => {
        await browser?.close();
      });
      body(engine, () => {
        if (!browser) throw new Error(`${engine} did not start (see the error of the before hook)`);
        return browser;
      });
    });
  }
}
