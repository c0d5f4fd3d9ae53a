import { waitInPage, type ContextOptions, type TestBrowser, type TestContext, type TestPage } from './engines.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { startWebKitSession, startXvfb, type WebDriverSession } from './webdriver.js';

/*
 * WebKit through WebKitGTK's WebDriver on one Xvfb: a context is a WebDriver session (a driver and
 * a MiniBrowser with a profile of their own), a page one of its windows. What classic WebDriver
 * lacks (init scripts, the page's requests and errors) comes from the session's recording proxy
 * and an in-page recorder.
 */

/** Init script: keeps the page's uncaught errors and console errors for {@link WebKitPage.errors}. */
function recordErrors(): void {
  const errors: string[] = [];
  (window as unknown as { __engineErrors: string[] }).__engineErrors = errors;
  addEventListener('error', (e) => errors.push(`pageerror: ${e.message}`));
  addEventListener('unhandledrejection', (e) => errors.push(`pageerror: ${(e.reason as Error | undefined)?.message ?? String(e.reason)}`));
  const original = console.error;
  console.error = (...args: unknown[]) => {
    errors.push(`console: ${args.map(String).join(' ')}`);
    original.apply(console, args);
  };
}

class WebKitContext implements TestContext {
  /** WebDriver has one current window per session: commands for different pages take turns. */
  private queue: Promise<unknown> = Promise.resolve();
  private current: string | null = null;

  constructor(readonly session: WebDriverSession, readonly proxy: RecordingProxy, private readonly blankWindow: string, private readonly onClose: () => void) {
    this.current = blankWindow;
  }

  /** Runs `command` with `handle` as the session's current window. */
  inWindow<T>(handle: string, command: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.current !== handle) {
        await this.session.command('POST', '/window', { handle });
        this.current = handle;
      }
      return command();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Closes the window `handle` (the session lives on in its first, blank window). */
  closeWindow(handle: string): Promise<void> {
    return this.inWindow(handle, async () => {
      await this.session.command('DELETE', '/window');
      this.current = null;
    });
  }

  async newPage(): Promise<TestPage> {
    const { handle } = await this.inWindow(this.blankWindow, () => this.session.command<{ handle: string }>('POST', '/window/new', { type: 'window' }));
    return new WebKitPage(this, handle);
  }

  async close(): Promise<void> {
    this.onClose();
    await this.session.end();
    await this.proxy.close();
  }
}

class WebKitPage implements TestPage {
  private lastUrl = 'about:blank';
  private closed = false;
  /** The in-page errors, kept when the page closes. */
  private finalErrors: string[] | null = null;

  constructor(private readonly context: WebKitContext, private readonly handle: string) {}

  async goto(url: string): Promise<void> {
    this.lastUrl = url;
    await this.context.inWindow(this.handle, () => this.context.session.navigate(url));
  }

  url(): string {
    return this.lastUrl;
  }

  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`the page ${this.lastUrl} is closed`));
    return this.context.inWindow(this.handle, () => this.context.session.evaluate(fn, arg));
  }

  waitForFunction<A = undefined>(what: string, fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void> {
    return waitInPage(this, what, fn, arg, timeoutMs);
  }

  private pageErrors(): Promise<string[]> {
    return this.evaluate(() => (window as unknown as { __engineErrors?: string[] }).__engineErrors ?? []);
  }

  async errors(): Promise<string[]> {
    const own = this.finalErrors ?? (await this.pageErrors());
    return [...own, ...this.context.proxy.failures];
  }

  async requested(): Promise<string[]> {
    return [...this.context.proxy.requested];
  }

  async failRequests(pattern: RegExp): Promise<void> {
    this.context.proxy.failing.push(pattern);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.finalErrors = await this.pageErrors().catch((err: Error) => [`(errors unreadable: ${err.message})`]);
    this.closed = true;
    await this.context.closeWindow(this.handle);
  }

  isClosed(): boolean {
    return this.closed;
  }
}

export async function launchWebKitBrowser(): Promise<TestBrowser> {
  const xvfb = await startXvfb();
  const contexts = new Set<WebKitContext>();
  return {
    engine: 'webkit',
    async newContext(options: ContextOptions = {}) {
      const proxy = await startRecordingProxy();
      proxy.initScripts.push(recordErrors.toString());
      if (options.initScript) proxy.initScripts.push(options.initScript.toString());
      const session = await startWebKitSession(xvfb.display, { proxy: { proxyType: 'manual', httpProxy: proxy.address } }).catch(async (err: Error) => {
        await proxy.close();
        throw err;
      });
      const blankWindow = await session.command<string>('GET', '/window');
      const context = new WebKitContext(session, proxy, blankWindow, () => contexts.delete(context));
      contexts.add(context);
      return context;
    },
    async close() {
      await Promise.all([...contexts].map((c) => c.close()));
      await xvfb.stop();
    },
  };
}
