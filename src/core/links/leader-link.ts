import { compareIds } from '../wire.js';
import type { HubMessage } from '../hub-protocol.js';
import { StreamHub, type HubAttachment } from '../stream-hub.js';
import { hubName, type Deliver, type HubLink, type LinkOptions } from './link.js';

/** What tabs say to each other on the BroadcastChannel. */
type TabMessage =
  /** A tab's whole selector set (on start, on request, and every few seconds as a sign of life). */
  | { t: 'subs'; from: string; selectors: string[] }
  | { t: 'sub'; from: string; selectors: string[] }
  | { t: 'unsub'; from: string; selectors: string[] }
  | { t: 'bye'; from: string }
  /** A new leader asks every tab for its selectors. */
  | { t: 'who' }
  /** The leader's stream, relayed to every tab, or (`to`) a selection's whole state for the tab that asked. */
  | { t: 'hub'; msg: HubMessage; to?: string };

/**
 * How often a tab announces itself, and after how long without word it counts as gone. Hidden
 * tabs may run timers only once a minute (Chrome's intensive throttling), so the window is long:
 * a tab that closes says `bye` anyway, and one that crashed only keeps its topics on the stream a little longer.
 */
const ANNOUNCE_MS = 3000;
const GONE_MS = 150_000;

interface Leading {
  hub: StreamHub;
  own: HubAttachment;
  bridge: HubAttachment;
  /** Selectors the bridge (all other tabs together) holds on the hub. */
  bridged: Set<string>;
  release: () => void;
}

/**
 * Leader election for browsers without a usable SharedWorker: the tabs of one relay and identity
 * race for a Web Lock (the leader streams with its own token); the holder runs the stream hub
 * (which holds every selection's state) and relays its messages over a BroadcastChannel. Every
 * tab keeps the roster of all tabs' selectors and the last stream position it saw, so when the
 * leader tab closes (its lock is released at once) the next tab streams everybody's selectors
 * from that position: it reads their snapshots again, every tab's copy is replaced by them, and
 * the events since that position come with them, so nobody misses one.
 */
export function openLeaderLink(options: LinkOptions, deliver: Deliver): HubLink {
  const name = hubName(options);
  const me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const channel = new BroadcastChannel(name);
  const mine = new Set<string>();
  const roster = new Map<string, { selectors: Set<string>; seen: number }>();
  const abort = new AbortController();
  let lastSeen: string | null = null;
  let leading: Leading | null = null;
  let closed = false;

  const post = (m: TabMessage) => channel.postMessage(m);
  const announce = () => post({ t: 'subs', from: me, selectors: [...mine] });

  /** The leader keeps the bridge's hub subscription equal to the union of the other tabs' selectors. */
  const syncBridge = () => {
    if (!leading) return;
    const want = new Set<string>();
    for (const tab of roster.values()) for (const s of tab.selectors) want.add(s);
    const add = [...want].filter((s) => !leading!.bridged.has(s));
    const drop = [...leading.bridged].filter((s) => !want.has(s));
    leading.bridged = want;
    if (drop.length) leading.bridge.unsubscribe(drop);
    if (add.length) leading.bridge.subscribe(add);
  };

  const rosterEntry = (from: string) => {
    let tab = roster.get(from);
    if (!tab) roster.set(from, (tab = { selectors: new Set(), seen: 0 }));
    tab.seen = Date.now();
    return tab;
  };

  channel.onmessage = (e: MessageEvent<TabMessage>) => {
    const m = e.data;
    let added: string[] = [];
    // A tab the leader has not heard from yet missed every earlier status (the hub told the bridge
    // once, when it attached): tell it the stream's status now, or its indicator stays "closed".
    if (leading && (m.t === 'subs' || m.t === 'sub') && !roster.has(m.from)) {
      post({ t: 'hub', msg: { t: 'status', status: leading.hub.status } });
    }
    switch (m.t) {
      case 'hub':
        // Two leaders cannot hold one lock: when leading, this is a stale message from the last one.
        if (!leading) {
          // The position the tabs' copies stand at: a new leader resumes from it.
          if (m.msg.t === 'sync' && m.msg.at && (lastSeen === null || compareIds(m.msg.at, lastSeen) > 0)) lastSeen = m.msg.at;
          if (m.to === undefined || m.to === me) deliver(m.msg);
        }
        return;
      case 'who':
        announce();
        return;
      case 'bye':
        roster.delete(m.from);
        syncBridge();
        return;
      case 'subs':
        added = m.selectors.filter((s) => !roster.get(m.from)?.selectors.has(s));
        rosterEntry(m.from).selectors = new Set(m.selectors);
        break;
      case 'sub':
        added = m.selectors.filter((s) => !roster.get(m.from)?.selectors.has(s));
        for (const s of m.selectors) rosterEntry(m.from).selectors.add(s);
        break;
      case 'unsub':
        for (const s of m.selectors) rosterEntry(m.from).selectors.delete(s);
        break;
    }
    if (!leading) return;
    syncBridge();
    // A selection the hub already holds for another tab: the newcomer gets its whole state.
    for (const s of added) {
      const state = leading.hub.stateOf(s);
      if (state) post({ t: 'hub', msg: state, to: m.from });
    }
  };

  const lead = (release: () => void) => {
    const hub = new StreamHub({ relay: options.relay, token: options.tokens, heartbeatMs: options.heartbeatMs, lastEventId: lastSeen });
    const own = hub.attach({ deliver });
    // Alone, nobody listens: every event moves the status, and each post is a trip through the browser process.
    const bridge = hub.attach({ deliver: (msg) => roster.size > 0 && post({ t: 'hub', msg }) });
    leading = { hub, own, bridge, bridged: new Set(), release };
    syncBridge();
    if (mine.size) own.subscribe([...mine]);
    post({ t: 'who' });
  };

  const expire = setInterval(() => {
    announce();
    const cutoff = Date.now() - GONE_MS;
    let changed = false;
    for (const [id, tab] of roster) {
      if (tab.seen < cutoff) {
        roster.delete(id);
        changed = true;
      }
    }
    if (changed) syncBridge();
  }, ANNOUNCE_MS);

  void navigator.locks
    .request(name, { signal: abort.signal }, () => {
      if (closed) return;
      // Hold the lock for as long as this page lives (or until close()).
      return new Promise<void>((release) => lead(release));
    })
    .catch(() => {
      // AbortError after close(): nothing to do.
    });

  const onPageHide = () => post({ t: 'bye', from: me });
  addEventListener('pagehide', onPageHide);
  announce();

  return {
    mode: 'leader',
    get leading() {
      return leading !== null;
    },
    subscribe(s) {
      for (const x of s) mine.add(x);
      if (leading) leading.own.subscribe(s);
      else post({ t: 'sub', from: me, selectors: [...s] });
    },
    unsubscribe(s) {
      for (const x of s) mine.delete(x);
      if (leading) leading.own.unsubscribe(s);
      else post({ t: 'unsub', from: me, selectors: [...s] });
    },
    close() {
      closed = true;
      clearInterval(expire);
      removeEventListener('pagehide', onPageHide);
      post({ t: 'bye', from: me });
      abort.abort();
      if (leading) {
        leading.hub.close();
        leading.release();
        leading = null;
      }
      channel.close();
    },
  };
}
