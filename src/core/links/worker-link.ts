import type { HubMessage, PageMessage } from '../hub-protocol.js';
import type { Deliver, HubLink, LinkOptions } from './link.js';

/**
 * The stream lives in a SharedWorker, one per browser profile and identity, which holds a stream
 * per relay (so the script-tag loader, src/index.ts, can start an anonymous reader's worker under
 * its name before the kit has resolved any relay; the identity is `identityOf` the token, see
 * hubName); this page talks
 * to it over a MessagePort and gives it fresh tokens when it asks. `onFail` is called when the worker cannot start (its script is missing
 * or refused), so the caller can fall back to leader election. `selectors`: what the page
 * subscribes to (kept by the caller), sent again when the page returns from the back/forward cache.
 */
export function openWorkerLink(options: LinkOptions, deliver: Deliver, onFail: (reason: string) => void, selectors: ReadonlySet<string>): HubLink {
  const name = `live-elements#${options.identity}`;
  // The literal `new SharedWorker(new URL(...), {type: 'module'})` is what lets vite build the worker as its own chunk.
  const worker =
    loaderWorker(options) ??
    (options.worker ? new SharedWorker(options.worker, { type: 'module', name }) : new SharedWorker(new URL('../worker/connection-worker.ts', import.meta.url), { type: 'module', name }));
  const port = worker.port;
  let heard = false;
  let closed = false;
  const post = (m: PageMessage) => port.postMessage(m);
  worker.onerror = () => {
    if (!heard && !closed) onFail(`the connection worker ${options.worker || 'beside the kit'} failed to start`);
  };
  // The loader's worker may have failed before the kit took it: its error event is gone.
  if ((worker as LoaderWorker).failed) queueMicrotask(worker.onerror as () => void);
  // Setting onmessage also starts the port.
  // The worker posts what it has for the page as one array: one task here, however many messages.
  port.onmessage = (e: MessageEvent<HubMessage[]>) => {
    heard = true;
    for (const m of e.data) {
      if (m.t === 'ping') post({ t: 'pong' });
      else if (m.t === 'token') {
        options.tokens.refresh().then(
          (token) => post({ t: 'token', token }),
          (err: Error) => post({ t: 'token', token: null, error: err.message }),
        );
      } else deliver(m);
    }
  };
  const hello = () => {
    const { tokens, relay, identity, heartbeatMs } = options;
    post({ t: 'hello', relay, identity, token: tokens.value, renewable: tokens.renewable, heartbeatMs });
  };
  // A page leaving releases its subscriptions at once; the worker's ping catches pages that die silently.
  const onPageHide = () => post({ t: 'bye' });
  const onPageShow = (e: PageTransitionEvent) => {
    if (!e.persisted) return;
    deliver({ t: 'resync' });
    hello();
    if (selectors.size > 0) post({ t: 'subscribe', selectors: [...selectors] });
  };
  addEventListener('pagehide', onPageHide);
  addEventListener('pageshow', onPageShow);
  hello();
  // What the page subscribes in one task goes as one message: the worker opens its first stream
  // for the whole of it at once (StreamHub's settle), not for the first selection alone.
  let queued: string[] | null = null;
  const flush = () => {
    if (queued) post({ t: 'subscribe', selectors: queued });
    queued = null;
  };
  return {
    mode: 'worker',
    subscribe(s) {
      if (!queued) queueMicrotask(flush);
      (queued ??= []).push(...s);
    },
    unsubscribe(s) {
      flush();
      post({ t: 'unsubscribe', selectors: [...s] });
    },
    close() {
      queued = null;
      closed = true;
      removeEventListener('pagehide', onPageHide);
      removeEventListener('pageshow', onPageShow);
      post({ t: 'bye' });
      port.close();
    },
  };
}

/** The SharedWorker the loader started, `failed` once its script could not start. */
export type LoaderWorker = SharedWorker & { failed?: boolean };

/** The script-tag loader's tag (src/index.ts), holding the SharedWorker it started until the kit takes it. */
export interface LoaderTag extends HTMLScriptElement {
  liveWorker?: LoaderWorker;
}

/**
 * The SharedWorker the script-tag loader started while the kit downloaded, when it is the one
 * this link wants (an anonymous reader's, from the same script): its connection is open by now,
 * where a second `new SharedWorker` would wait on the browser for one of its own, 20–40 ms before
 * the first subscription reaches the worker. Taken once, even when it failed to start: a second
 * worker of the same script and name could join the failing one and never hear its error (Firefox).
 */
function loaderWorker(options: LinkOptions): SharedWorker | undefined {
  const tag = document.querySelector<LoaderTag>('script[data-relay]');
  const worker = tag?.liveWorker;
  if (!worker || options.identity || (tag.dataset.worker || '') != (options.worker || '')) return;
  tag.liveWorker = undefined;
  return worker;
}
