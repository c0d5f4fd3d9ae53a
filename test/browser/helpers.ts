import type { LiveConnection, LiveSubscription } from '../../src/core/index.js';
import type { EventInput } from '../../src/core/wire.js';
import { waitUntil } from '../helpers/wait.js';
import { publishOrThrow } from '../helpers/publish.mjs';

/** The engine running the tests, for the few expectations that differ (each says why). */
export const engine: 'chromium' | 'firefox' | 'webkit' = /Firefox\//.test(navigator.userAgent) ? 'firefox' : /Chrome\//.test(navigator.userAgent) ? 'chromium' : 'webkit';

/** The test relays' URLs (started by web-test-runner.config.mjs). */
export interface Relays {
  main: string;
  small: string;
  auth: string;
  /** Answers streams with `connected` and then silence (no heartbeat). */
  silent: string;
  /** Verifies real subscriber tokens (see {@link mint}); `open` is its only public topic. */
  jwt: string;
}

export type RelayName = keyof Relays;

export async function relays(): Promise<Relays> {
  return (await fetch('/__relay')).json();
}

/** Publishes through the relay's own route (loopback publishers need no token); resolves with the new ids, rejects unless 200. */
export const publish: (relayUrl: string, events: EventInput | EventInput[]) => Promise<string[]> = publishOrThrow;

/** Appends straight to a relay's bus (works while the relay is stopped). */
export async function appendToBus(name: RelayName, events: EventInput[]): Promise<string[]> {
  const res = await fetch(`/__relay/${name}/append`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
  if (!res.ok) throw new Error(`append failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { ids: string[] }).ids;
}

/** A subscriber token for the jwt relay: `topics` it may read, `expiresIn` seconds (default 600). */
export async function mint(options: { sub?: string; topics?: unknown; expiresIn?: number | null }): Promise<string> {
  const res = await fetch('/__relay/jwt/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(options) });
  if (!res.ok) throw new Error(`minting a token failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function stopRelay(name: RelayName): Promise<void> {
  await fetch(`/__relay/${name}/stop`, { method: 'POST' });
}

export async function startRelay(name: RelayName): Promise<void> {
  await fetch(`/__relay/${name}/start`, { method: 'POST' });
}

export async function stats(name: RelayName): Promise<{ sseClients: number; streamRequests: number; lastTopics: string; openStreams: string[]; readersRefused: number; snapshotReads: Record<string, number>; topicRequests: Record<string, number> }> {
  return (await fetch(`/__relay/${name}/stats`)).json();
}

/** The relay's snapshot of a topic. */
export async function snapshot(relayUrl: string, topic: string): Promise<{ lastEventId: string | null; items: Record<string, unknown> }> {
  return (await fetch(`${relayUrl}/v1/topics/${topic}`)).json();
}

/** waitUntil with the browser tests' argument order and their 15 s default: polls `probe` every 50 ms until it is truthy. */
export function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  return waitUntil(probe, what, timeoutMs, 50);
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * Whether @web/test-runner-commands' browser controls (emulateMedia, sendKeys, sendMouse) work in
 * this engine: they drive Chromium through CDP. Firefox (our WebDriver BiDi launcher: puppeteer's
 * media emulation needs CDP) and WebKit (classic WebDriver) take none of them, so the tests that
 * need them are registered in Chromium only, by {@link itInChromium}, never skipped.
 */
export const commandsWork = engine === 'chromium';

/** `it` for a test that needs the browser controls above: registered in Chromium only. */
export function itInChromium(title: string, fn: MochaTestFn): void {
  if (commandsWork) it(`${title} (Chromium only: needs CDP's input and media emulation)`, fn);
}

/** A document of its own that loaded the kit (fixtures/tab.html), as a tab of this browser would. */
export interface Tab {
  frame: HTMLIFrameElement;
  /** Its connection, the events it saw (`topic:n`) and its subscriptions, one per topic asked. */
  api: { conn: LiveConnection; seen: string[]; subs: LiveSubscription[] };
}

/**
 * Opens a tab as a same-origin iframe of the test page: it loads the kit on its own (its own
 * module graph, like a tab) and shares the SharedWorker, Web Locks and BroadcastChannels exactly
 * as tabs do; `noWorker`: a browser without SharedWorker, so the tabs elect a leader.
 */
export async function openTab(relay: string, topics: string[], noWorker: boolean): Promise<Tab> {
  const q = new URLSearchParams({ relay });
  for (const t of topics) q.append('topic', t);
  if (noWorker) q.set('noWorker', '1');
  const frame = document.createElement('iframe');
  frame.src = `/test/browser/fixtures/tab.html?${q}`;
  document.body.append(frame);
  const api = await waitFor('the tab loaded the kit', () => (frame.contentWindow as unknown as { tab?: Tab['api'] } | null)?.tab);
  return { frame, api };
}

/** Removing the iframe unloads its document, as closing a tab does. */
export function closeTab(tab: Tab): void {
  tab.frame.remove();
}
