import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { freePort } from './redis-server.js';

/*
 * WebKit for the tests: WebKitGTK's WebDriver (apt `webkit2gtk-driver`) driving MiniBrowser on a
 * private Xvfb, spoken to in plain W3C WebDriver over HTTP (see TOOLCHAIN.md). Both processes are
 * started here and stopped by their pid.
 */

/** WebKitGTK's driver: WEBKIT_DRIVER_PATH, else Debian's. */
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
/** The browser the driver starts: WEBKIT_BROWSER_PATH, else Debian's MiniBrowser. */
export const WEBKIT_BROWSER_PATH = process.env.WEBKIT_BROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Deleting a WebKitGTK session can hang (TOOLCHAIN.md): past this the driver is stopped anyway. */
const DELETE_SESSION_TIMEOUT_MS = 5000;

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => { clearTimeout(killer); resolve(); });
    proc.kill('SIGTERM');
  });
}

/** An X display for the browser, stopped by pid. */
export interface VirtualDisplay {
  /** The DISPLAY value, e.g. `:99`. */
  readonly display: string;
  stop(): Promise<void>;
}

/** Starts Xvfb on a display number it picks itself (`-displayfd`), so parallel runs never collide. */
export async function startXvfb(): Promise<VirtualDisplay> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1000x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d; });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (proc.stdio[3] as Readable).on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    proc.once('error', (err) => reject(new Error(`could not start Xvfb (${err.message}); install it with \`apt-get install -y xvfb\``)));
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it chose a display: ${stderr.trim()}`)));
  });
  return { display, stop: () => stopProcess(proc) };
}

/** A W3C WebDriver error answer, with the command that got it. */
export class WebDriverError extends Error {
  constructor(readonly command: string, readonly error: string, message: string) {
    super(`WebDriver ${command}: ${error}: ${message}`);
  }
}

/** One W3C WebDriver session: a browser with a profile of its own, and its windows. */
export class WebDriverSession {
  constructor(private readonly driverUrl: string, readonly id: string, private readonly stopDriver: () => Promise<void>) {}

  /** Sends one command to this session and returns its `value`; a WebDriver error throws. */
  async command<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return sendCommand<T>(this.driverUrl, method, `/session/${this.id}${path}`, body);
  }

  navigate(url: string): Promise<void> {
    return this.command('POST', '/url', { url });
  }

  /** Runs `fn(arg)` in the current window's page and returns its JSON result (a promise is awaited). */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.command<R>('POST', '/execute/sync', { script: `return (${fn.toString()})(arguments[0]);`, args: [arg ?? null] });
  }

  /** Ends the session (waiting a few seconds at most: WebKitGTK's delete can hang), then stops its driver. */
  async end(): Promise<void> {
    await Promise.race([this.command('DELETE', '').catch(() => {}), new Promise((r) => setTimeout(r, DELETE_SESSION_TIMEOUT_MS).unref())]);
    await this.stopDriver();
  }
}

async function sendCommand<T>(driverUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(driverUrl + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok) throw new WebDriverError(`${method} ${path}`, answer.value?.error ?? String(res.status), answer.value?.message ?? '');
  return answer.value;
}

/**
 * Starts a WebKitWebDriver of its own on `display` (pid kept) and opens its one session
 * (WebKitWebDriver serves one session at a time): a MiniBrowser with a fresh profile.
 * `capabilities` are added to WebKitGTK's browser options.
 */
export async function startWebKitSession(display: string, capabilities: Record<string, unknown> = {}): Promise<WebDriverSession> {
  const port = await freePort();
  const driverUrl = `http://127.0.0.1:${port}`;
  // Under the C locale (CI's) WebKitGTK says navigator.language is "C", which Intl rejects
  // (uPlot throws "invalid language tag: C" on import): give it a language a visitor would have.
  const lang = /^(C|POSIX)?(\.|$)/.test(process.env.LANG ?? '') ? 'en_US.UTF-8' : process.env.LANG;
  const driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DISPLAY: display, LANG: lang } });
  let stderr = '';
  driver.stderr!.on('data', (d: Buffer) => { stderr += d; });
  try {
    const failed = new Promise<never>((_, reject) => {
      driver.once('error', (err) => reject(new Error(`could not start ${WEBKIT_DRIVER_PATH} (${err.message}); install it with \`apt-get install -y webkit2gtk-driver\` or set WEBKIT_DRIVER_PATH`)));
      driver.once('exit', (code) => reject(new Error(`${WEBKIT_DRIVER_PATH} exited with ${code}: ${stderr.trim()}`)));
    });
    failed.catch(() => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ready = await Promise.race([failed, fetch(`${driverUrl}/status`).then((r) => r.ok, () => false)]);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`${WEBKIT_DRIVER_PATH} did not answer on port ${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const browserOptions = { 'webkitgtk:browserOptions': { binary: WEBKIT_BROWSER_PATH, args: ['--automation'] } };
    const created = await sendCommand<{ sessionId: string }>(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: { ...browserOptions, ...capabilities } } });
    return new WebDriverSession(driverUrl, created.sessionId, () => stopProcess(driver));
  } catch (err) {
    await stopProcess(driver);
    throw err;
  }
}
