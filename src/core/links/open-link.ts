import type { Deliver, HubLink, LinkOptions } from './link.js';
import { openWorkerLink } from './worker-link.js';

/**
 * The kit's own URL, read while the module first runs: in a classic-script build `import.meta.url`
 * is emulated with `document.currentScript`, which is gone by the time an element subscribes.
 */
const KIT_URL: string = import.meta.url;

/**
 * Chooses how this page reaches the shared stream: a SharedWorker when one can be started from
 * this origin, else a leader tab elected with Web Locks over a BroadcastChannel, else a stream of
 * its own. A worker that fails to start falls back to the leader election with the same selectors.
 */
export function openLink(options: LinkOptions, deliver: Deliver): HubLink {
  const selectors = new Set<string>();
  let link: HubLink;
  const fallback = (reason: string) => {
    if (typeof console !== 'undefined') console.warn(`live-elements: ${reason}; sharing the stream between tabs by leader election instead`);
    link.close();
    link = openShared(options, deliver);
    if (selectors.size > 0) link.subscribe([...selectors]);
  };
  link = workerUsable(options) ? openWorkerLink(options, deliver, fallback) : openShared(options, deliver);
  return {
    get mode() {
      return link.mode;
    },
    get leading() {
      return link.leading;
    },
    subscribe(s) {
      for (const x of s) selectors.add(x);
      link.subscribe(s);
    },
    unsubscribe(s) {
      for (const x of s) selectors.delete(x);
      link.unsubscribe(s);
    },
    close() {
      selectors.clear();
      link.close();
    },
  };
}

/**
 * A link where this tab may run the stream itself. Its code (the SSE client, the hub, leader
 * election) is a chunk of its own, loaded here on first use: a page whose SharedWorker runs the
 * stream never downloads it. Until it is in, calls are queued as the selector set they add up to.
 */
function openShared(options: LinkOptions, deliver: Deliver): HubLink {
  const canLead = typeof navigator !== 'undefined' && 'locks' in navigator && typeof BroadcastChannel === 'function';
  const pending = new Set<string>();
  let link: HubLink | null = null;
  let closed = false;
  import('./stream-links.js').then(
    (m) => {
      if (closed) return;
      link = canLead ? m.openLeaderLink(options, deliver) : m.openInPageLink(options, deliver);
      if (pending.size > 0) link.subscribe([...pending]);
      pending.clear();
    },
    (err: unknown) => {
      if (closed) return;
      const message = `live-elements could not load its stream code (${err instanceof Error ? err.message : String(err)}): check that the kit's chunks/ folder is served beside it`;
      deliver({ t: 'status', status: { status: 'closed', lastEventAt: null, attempts: 0, error: { code: 'load_failed', message } } });
    },
  );
  return {
    mode: canLead ? 'leader' : 'page',
    get leading() {
      return link?.leading ?? false;
    },
    subscribe(s) {
      if (link) link.subscribe(s);
      else for (const x of s) pending.add(x);
    },
    unsubscribe(s) {
      if (link) link.unsubscribe(s);
      else for (const x of s) pending.delete(x);
    },
    close() {
      closed = true;
      pending.clear();
      link?.close();
      link = null;
    },
  };
}

/** A SharedWorker must come from the page's own origin; the default one sits beside this module. */
function workerUsable(options: LinkOptions): boolean {
  if (options.worker === false || typeof SharedWorker !== 'function' || typeof location === 'undefined') return false;
  const script = options.worker ? new URL(String(options.worker), location.href) : new URL(KIT_URL);
  return script.origin === location.origin;
}
