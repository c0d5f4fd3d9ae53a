/**
 * The connection manager as a SharedWorker: one per browser profile and relay/token, owning the
 * one SSE stream that every page of the site shares. Pages talk to it over MessagePorts
 * (`PageMessage` in, `HubMessage` out); a page that says `bye` or stops answering pings is dropped
 * and its subscriptions released.
 */
import { StreamHub, type HubAttachment } from '../stream-hub.js';
import type { HubMessage, PageMessage } from '../hub-protocol.js';

/** A port that has not answered the previous ping by the next one counts as gone. */
const PING_MS = 4000;

interface PortState {
  port: MessagePort;
  attachment: HubAttachment | null;
  answered: boolean;
}

const hubs = new Map<string, StreamHub>();
const ports = new Set<PortState>();

function hubFor(m: Extract<PageMessage, { t: 'hello' }>): StreamHub {
  const key = `${m.relay}\n${m.token ?? ''}`;
  let hub = hubs.get(key);
  if (!hub) hubs.set(key, (hub = new StreamHub({ relay: m.relay, token: m.token, heartbeatMs: m.heartbeatMs })));
  return hub;
}

function drop(state: PortState): void {
  state.attachment?.detach();
  state.attachment = null;
}

function onMessage(state: PortState, m: PageMessage): void {
  state.answered = true;
  switch (m.t) {
    case 'hello':
      drop(state);
      state.attachment = hubFor(m).attach({ deliver: (msg: HubMessage) => state.port.postMessage(msg) });
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
  const state: PortState = { port, attachment: null, answered: true };
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
    state.port.postMessage({ t: 'ping' } satisfies HubMessage);
  }
}, PING_MS);
