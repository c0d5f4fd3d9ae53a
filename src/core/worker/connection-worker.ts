/**
 * The connection manager as a SharedWorker: one per browser profile and reader identity, owning
 * the one SSE stream per relay that every page of the site shares (a {@link StreamHub} each, by
 * the relay and identity a page's `hello` names). Pages talk to it over MessagePorts
 * (`PageMessage` in, arrays of `HubMessage` out, see {@link send}); a page that says `bye` or
 * stops answering pings is dropped and its subscriptions released. A token function cannot cross postMessage: when the stream
 * needs a fresh token the worker asks a page for one.
 */
import { StreamHub, type HubAttachment } from '../stream-hub.js';
import type { HubMessage, PageMessage } from '../hub-protocol.js';
import { expOf, TokenKeeper } from '../token.js';

/** A port that has not answered the previous ping by the next one counts as gone. */
const PING_MS = 4000;
/** How long a page may take to answer a token request (its token function may call a backend). */
const TOKEN_WAIT_MS = 15_000;

interface HubEntry {
  hub: StreamHub;
  tokens: TokenKeeper;
  /** Token requests waiting for a page's answer. */
  waiting: Array<(answer: Extract<PageMessage, { t: 'token' }> | null) => void>;
}

interface PortState {
  port: MessagePort;
  entry: HubEntry | null;
  attachment: HubAttachment | null;
  answered: boolean;
  /** Messages for the page not yet posted: see {@link send}. */
  outbox: HubMessage[];
}

/**
 * Queues `message` for the page; what is queued goes as one array in one postMessage once the
 * worker's current task and its microtasks are done. A chunk of the stream gives a page the
 * status's new `lastEventAt` and a `sync` per selection it changed, each in a task of the page's
 * own when posted one by one; as one message they are one task, and one render. A selection's
 * whole state (its first data, mostly) goes alone, after what was queued before it: the first
 * data of a page's widgets, which come together, then render in a task each, not in one long task.
 */
function send(state: PortState, message: HubMessage): void {
  if (message.t == 'sync' && message.full) {
    post(state);
    state.port.postMessage([message]);
  } else if (state.outbox.push(message) == 1) setTimeout(() => post(state));
}

function post(state: PortState): void {
  if (state.outbox.length) state.port.postMessage(state.outbox.splice(0));
}

// The browser's locale data (the first Intl formatter, 20–35 ms) is loaded once per process: the
// worker loads it as it starts, on its own thread, while the kit's chunk is still on its way to
// the page that started it (the loader starts the worker first), so that a page sharing its
// process formats its first number for nothing (see the kit's own warm-up in src/kit.ts).
setTimeout(() => new Intl.NumberFormat());

const hubs = new Map<string, HubEntry>();
const ports = new Set<PortState>();

function hubFor(m: Extract<PageMessage, { t: 'hello' }>): HubEntry {
  const key = `${m.relay}\n${m.identity}`;
  let entry = hubs.get(key);
  if (!entry) {
    const tokens: TokenKeeper = new TokenKeeper(() => askPage(created));
    tokens.renewable = false;
    const created: HubEntry = { hub: new StreamHub({ relay: m.relay, token: tokens, heartbeatMs: m.heartbeatMs }), tokens, waiting: [] };
    hubs.set(key, (entry = created));
  }
  entry.tokens.renewable ||= m.renewable;
  offer(entry.tokens, m.token);
  return entry;
}

/** A page's current token replaces the worker's when that has none or the page's lives longer. */
function offer(tokens: TokenKeeper, token: string | null): void {
  if (token === null || token === tokens.value) return;
  const exp = expOf(token);
  const current = expOf(tokens.value);
  if (tokens.value === null || exp === null || (current !== null && exp > current)) tokens.take(token);
}

/** A fresh token from the page that joined this hub last (the likeliest to be alive and awake). */
function askPage(entry: HubEntry): Promise<string | null> {
  const asked = [...ports].reverse().find((s) => s.entry === entry && s.attachment);
  if (!asked) return Promise.reject(new Error('no page is left to ask for a fresh subscriber token'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(null), TOKEN_WAIT_MS);
    const settle = (answer: Extract<PageMessage, { t: 'token' }> | null) => {
      clearTimeout(timer);
      entry.waiting = entry.waiting.filter((w) => w !== settle);
      if (!answer) reject(new Error(`no page answered the request for a fresh subscriber token within ${TOKEN_WAIT_MS / 1000} s`));
      else if (answer.error) reject(new Error(answer.error));
      else resolve(answer.token);
    };
    entry.waiting.push(settle);
    send(asked, { t: 'token' });
  });
}

function drop(state: PortState): void {
  state.attachment?.detach();
  state.attachment = null;
  state.entry = null;
}

function onMessage(state: PortState, m: PageMessage): void {
  state.answered = true;
  switch (m.t) {
    case 'hello':
      drop(state);
      state.entry = hubFor(m);
      state.attachment = state.entry.hub.attach({ deliver: (msg: HubMessage) => send(state, msg) });
      return;
    case 'token':
      for (const settle of state.entry?.waiting.slice() ?? []) settle(m);
      return;
    case 'subscribe':
      state.attachment?.subscribe(m.selectors);
      return;
    case 'unsubscribe':
      state.attachment?.unsubscribe(m.selectors);
      return;
    case 'bye':
      drop(state);
      return;
    case 'pong':
      return;
  }
}

const scope = globalThis as unknown as { onconnect: ((e: MessageEvent) => void) | null };
scope.onconnect = (e: MessageEvent) => {
  const port = e.ports[0];
  const state: PortState = { port, entry: null, attachment: null, answered: true, outbox: [] };
  ports.add(state);
  port.onmessage = (ev: MessageEvent<PageMessage>) => onMessage(state, ev.data);
  port.start();
};

setInterval(() => {
  for (const state of ports) {
    if (!state.answered) {
      drop(state);
      ports.delete(state);
      state.port.close();
      continue;
    }
    state.answered = false;
    send(state, { t: 'ping' });
  }
}, PING_MS);
