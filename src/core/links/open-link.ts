import type { Deliver, HubLink, LinkOptions } from './link.js';
import { openWorkerLink } from './worker-link.js';
import { closedWith } from '../status.js';

/**
 * The kit's own URL, read while the module first runs: in a classic-script build `import.meta.url`
 * is emulated with `document.currentScript`, which is gone by the time an element subscribes.
 */
const KIT_URL: string = import.meta.url;

/**
 * Chooses how this page reaches the shared stream: a SharedWorker when one can be started from
 * this origin, else a leader tab elected with Web Locks over a BroadcastChannel, else a stream of
 * its own. A worker that fails to start falls back to the leader election with the same selectors.
 * The code of a tab that may run the stream itself (the SSE client, the hub, leader election) is
 * a chunk of its own, loaded on first use: a page whose SharedWorker runs the stream never
 * downloads it. Until it is in, the selectors are kept and handed over when it is.
 */
export function openLink(options: LinkOptions, deliver: Deliver): HubLink {
  const selectors = new Set<string>();
  let link: HubLink | null = null;
  let mode: HubLink['mode'];
  let closed = false;
  const shared = () => {
    const canLead = typeof navigator !== 'undefined' && 'locks' in navigator && typeof BroadcastChannel === 'function';
    mode = canLead ? 'leader' : 'page';
    link = null;
    import('./stream-links.js').then(
      (m) => {
        if (closed) return;
        link = canLead ? m.openLeaderLink(options, deliver) : m.openInPageLink(options, deliver);
        if (selectors.size > 0) link.subscribe([...selectors]);
      },
      (err: unknown) => {
        if (closed) return;
        const message = `live-elements could not load its stream code (${err instanceof Error ? err.message : String(err)}): check that the kit's chunks/ folder is served beside it`;
        deliver({ t: 'status', status: closedWith({ code: 'load_failed', message }) });
      },
    );
  };
  if (workerUsable(options)) {
    mode = 'worker';
    link = openWorkerLink(
      options,
      deliver,
      (reason) => {
        console.warn(`live-elements: ${reason}; sharing the stream between tabs by leader election instead`);
        link?.close();
        shared();
      },
      selectors,
    );
  } else shared();
  return {
    get mode() {
      return mode;
    },
    get leading() {
      return link?.leading ?? false;
    },
    subscribe(s) {
      for (const x of s) selectors.add(x);
      link?.subscribe(s);
    },
    unsubscribe(s) {
      for (const x of s) selectors.delete(x);
      link?.unsubscribe(s);
    },
    close() {
      closed = true;
      selectors.clear();
      link?.close();
      link = null;
    },
  };
}

/** A SharedWorker must come from the page's own origin; the default one sits beside this module. */
function workerUsable(options: LinkOptions): boolean {
  // Where SharedWorker exists, so does `location`.
  if (options.worker === false || typeof SharedWorker !== 'function') return false;
  return new URL(options.worker || KIT_URL, location.href).origin === location.origin;
}
