/**
 * `live-elements.js`, the file a page embeds with one script tag:
 *
 *     <script src="https://relay.example.com/live-elements.js" data-relay="https://relay.example.com"></script>
 *
 * It is a classic script (so `document.currentScript` names its tag and its `data-*` settings);
 * it also works with `type="module"`, where it finds its tag by `src`. It loads the kit, an ES
 * module in `chunks/` beside it whose hashed name the build writes in here (`__KIT_MODULE__`), so
 * the kit arrives in one more round trip and is cached for good. The elements read `data-relay`, `data-worker` and `data-token` from this tag;
 * `data-relay` defaults to where the script came from (set on the tag here, so they find it).
 *
 * It also starts the SharedWorker that will carry the stream (when the page may use one and has
 * no `data-token`), so that the worker's script downloads and runs while the kit does: the kit
 * then talks to the worker over that connection instead of starting it only once its elements
 * subscribe. A page with a chart gets the chart's chunk beside the kit likewise. Loader → {kit,
 * worker, chart} → {stream, the chart's history}: two round trips to the first data.
 */
import type { LoaderTag, LoaderWorker } from './core/links/worker-link.js';

// Imported by a server-side renderer (Node: no document), there is no tag to read and nothing to load.
if (typeof document == 'object') {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[src*="live-elements"][data-relay]') ??
    document.querySelector<HTMLScriptElement>('script[src*="live-elements.js"]');
  const src = script?.src || location.href;
  const data = script?.dataset;
  if (data && !data.relay) data.relay = new URL('.', src).href.replace(/\/$/, '');
  const kit = new URL(__KIT_MODULE__, src).href;
  import(/* @vite-ignore */ kit).catch((err: unknown) => console.error(`live-elements: could not load ${kit} (is it served with CORS?):`, err));
  // A chart on the page: its code (and what it imports but the kit) loads beside the kit, so its
  // history is asked for one round trip after the loader, not three. The kit reports a failure.
  if (document.getElementsByTagName('live-price-chart')[0]) for (const m of __CHART_MODULES__) import(/* @vite-ignore */ new URL(m, src).href).catch(() => {});
  // An anonymous reader's worker (named as in src/core/links/worker-link.ts): a token's identity is
  // a hash only the kit computes. Where no SharedWorker can start (none in this browser, a script
  // from another origin) the constructor throws, and the kit finds its own way. The kit talks over
  // this worker's connection (loaderWorker in worker-link.ts), open by the time it runs; one that
  // fails to start is marked, and the kit falls back from it.
  if (data && !data.token && data.worker != 'false') {
    try {
      const worker: LoaderWorker = ((script as LoaderTag).liveWorker = new SharedWorker(data.worker || new URL(__WORKER_MODULE__, src), { type: 'module', name: 'live-elements#' }));
      worker.onerror = () => (worker.failed = true);
    } catch {}
  }
}

/** The kit module's path relative to this file, set by `scripts/build.mjs` (`define`). */
declare const __KIT_MODULE__: string;
/** The SharedWorker script's path relative to this file, likewise. */
declare const __WORKER_MODULE__: string;
/** The chart's chunk and the chunks it imports but the kit, relative to this file, likewise. */
declare const __CHART_MODULES__: string[];
