import { resolve } from 'node:path';
import { defineConfig, minifySync, type Plugin, type UserConfig } from 'vite';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { minify as terser } from 'terser';

const root = import.meta.dirname;
const at = (p: string) => resolve(root, p);

/** Packages a bundler resolves itself: the ES module build leaves them as imports. */
const external = [/^lit($|\/)/, /^@lit\//, /^uplot($|\/)/, /^eventsource-parser($|\/)/];

const elements = ['live-price-chart', 'live-value', 'live-ticker', 'league-standings', 'rss-feed', 'service-status', 'live-indicator', 'live-source'];

/**
 * The script-tag kit's one module, `chunks/kit-[hash].js`: Lit, the page side of the connection
 * (topic sync, the SharedWorker link), the widgets' base and every element but the chart. One
 * file rather than a chunk per element: a page showing them all gets one gzip stream with one
 * dictionary (1.7 kB less than five chunks) in one round trip. Left out: the chart and uPlot
 * (loaded when a chart is on the page), `<live-value>` and `<live-ticker>` (each its own chunk,
 * loaded when its tag is on the page) and the code of a tab that runs the stream itself
 * (stream-links.ts and what only it imports: the SSE client and its requests, the hub and its topic syncs, and
 * the wire format beyond wire-rules.ts, which the chart shares), loaded
 * only without a SharedWorker, and the token code, loaded only when a token is set.
 */
function inKitChunk(id: string): boolean {
  if (/node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]/.test(id)) return true;
  if (/[\\/]src[\\/]core[\\/](sse-stream|relay-request|wire|stream-hub|topic-sync|backoff|token|links[\\/](stream-links|leader-link|in-page-link))\.ts$/.test(id)) return false;
  if (/[\\/]src[\\/]elements[\\/](live-price-chart|live-value|live-ticker)[\\/]/.test(id)) return false;
  // The series shape (periods, bucket rule) is the chart's alone on the page side.
  if (/[\\/]src[\\/]core[\\/]series-shape\.ts$/.test(id)) return false;
  return /[\\/]src[\\/]/.test(id);
}

/**
 * The members the kit build renames (`this.pendingChanged` → `this.b`): the elements' and the
 * connection's own private and protected members, ~150 B less gzip on every page. Only names that
 * are nobody else's: not an attribute, property, event or part of the public API, not a DOM, ES,
 * Lit or uPlot name (a renamed `floor` would rename `Math.floor` too), not in a message to the
 * SharedWorker (built apart) or the relay, and never written as a string (`changed.has('x')`).
 * Each gets the same short name in every chunk of the kit build (the value and ticker chunks and
 * the chart override members of the base class). Those used most in the kit chunk come first:
 * they get the one-letter names. A member added under one of these names is renamed too.
 */
const KIT_MANGLED_MEMBERS = [
  'syncs', 'keeper', 'subscription', 'itemsValue', 'pendingChanged', 'shownRows', 'flashUntil', 'previous',
  'tell', 'receive', 'intervalMs',
  'listeners', 'opening', 'subscribers', 'provided', 'statusListeners',
  'statusValue', 'stopStatus', 'isChanged', 'flashTimer', 'following', 'provider', 'seenBatch',
  'takeItems', 'newIds', 'onSource', 'defaultLabel', 'describeChange', 'flashIds', 'isEmpty',
  'onBatch', 'onLiveEvents', 'onLiveReset', 'openLinkOnce', 'phaseFromLive', 'renderBody',
  'renderLoading', 'renderState', 'takeLive', 'fieldNames', 'historyValue', 'liveInData',
  'drawSlot', 'early', 'lastValues', 'resizeObserver', 'scheduleDraw', 'changedNow', 'copyWidth',
  'dataColumns', 'dirtyData', 'fetchAbort', 'plotPromise', 'tipTimerEnd', 'dirtySize',
  'historyFrom', 'observed', 'pendingLive', 'plotEl', 'rebuildData', 'schemeQuery', 'sourceMoved',
  'durationS', 'foldLive', 'onScheme', 'plotSize', 'tipTimer', 'ensurePlot',
  'itemPart', 'loadHistory', 'onKey', 'plotColumns', 'rebuildPlot',
  'requestedFields', 'resetData', 'takeHistory', 'armTipTimer', 'describePlot',
  'drawTip', 'dropFront', 'foldSnapshotValue', 'notifyLive', 'plotOptions', 'renderGame',
  'renderLegend', 'renderTrade', 'resolveColor', 'offScreen', 'stale', 'screen', 'seen', 'heightFloor', 'announcement',
  'holder', 'leagues', 'services', 'ago',
  'drawSkipped', 'dropPlot', 'cancelDraws', 'drawPending', 'statusFrom', 'setOpen', 'sight', 'hold', 'unseen',
  'flashMs', 'endFlashes', 'historyAsked', 'historyAsk', 'refreshTick', 'slotted',
];

/**
 * Lit's errors for a misused `css` or `html` tag, with advice to a Lit developer (~95 B gzip in
 * the kit chunk), shortened: in the script-tag kit only our own templates and stylesheets call
 * those tags, so no page can meet them; the errors are still thrown. Fails the build when a new
 * Lit words them differently, so the saving is not lost unnoticed. By file, then message.
 */
const LIT_ERRORS: Array<[RegExp, Array<[string, string]>]> = [
  [/[\\/]@lit[\\/]reactive-element[\\/]css-tag\.js$/, [
    ['"CSSResult is not constructable. Use `unsafeCSS` or `css` instead."', '"use css"'],
    ["\"Value passed to 'css' function must be a 'css' function result: \"+t+\". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.\"", '"css: not a css result: "+t'],
  ]],
  [/[\\/]lit-html[\\/]lit-html\.js$/, [['"invalid template strings array"', '"bad html"']]],
];

function shortLitErrors(): Plugin {
  return {
    name: 'live-elements:short-lit-errors',
    transform(code, id) {
      const messages = LIT_ERRORS.find(([file]) => file.test(id))?.[1];
      if (!messages) return null;
      let out = code;
      for (const [long, short] of messages) {
        if (!out.includes(long)) throw new Error(`vite.config.ts: ${id} no longer holds ${long.slice(0, 40)}…; update LIT_ERRORS to this Lit version`);
        out = out.replace(long, short);
      }
      return { code: out, map: null };
    },
  };
}

/**
 * A second minifier over the kit's minified chunks: terser (two passes, nothing unsafe) finds
 * ~50 B gzip more in the kit chunk than rolldown's minifier alone. After the chunks are named: it
 * changes no import or export, so the names stay valid.
 */
function terserAfter(): Plugin {
  return {
    name: 'live-elements:terser-after',
    async generateBundle(_options, bundle) {
      for (const out of Object.values(bundle)) {
        if (out.type !== 'chunk') continue;
        const r = await terser(out.code, { module: true, ecma: 2020, compress: { passes: 2 } });
        if (r.code === undefined) throw new Error(`terser returned nothing for ${out.fileName}`);
        out.code = r.code;
      }
    },
  };
}

/**
 * Vite writes a worker's URL in a library build as `new URL(new URL("w.js", import.meta.url).href,
 * "" + import.meta.url)`: the inner URL is already absolute, so the outer one changes nothing.
 * Folded to `new URL("w.js", import.meta.url)` in the kit's chunks (the same URL, ~15 B gzip less
 * on every page: the kit chunk starts the SharedWorker).
 */
function foldWorkerUrl(): Plugin {
  return {
    name: 'live-elements:fold-worker-url',
    generateBundle(_options, bundle) {
      for (const out of Object.values(bundle)) {
        if (out.type === 'chunk') out.code = out.code.replace(/new URL\(new URL\(("[^"]+"),import\.meta\.url\)\.href,""\+import\.meta\.url\)/g, 'new URL($1,import.meta.url)');
      }
    },
  };
}

/** The short names, in order: letters no code in the kit uses as a property name, then `$a` … `$Z`, `$$a` … `$$Z`. */
const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const SHORT_NAMES = [...'bcfqvwzBEFGIJKLNPQRSUVWXYZ', ...LETTERS.map((c) => `$${c}`), ...LETTERS.map((c) => `$$${c}`)];

/**
 * Renames {@link KIT_MANGLED_MEMBERS} in every chunk, before the minifier: a plugin rather than
 * the minifier's own `mangleProps`, which rolldown allows only in a build of one chunk; the fixed
 * cache gives a name the same short name in each chunk. Fails the build when a chunk already uses
 * one of the short names as a property, which the renaming would confuse with a member.
 */
function mangleMembers(): Plugin {
  if (KIT_MANGLED_MEMBERS.length > SHORT_NAMES.length) throw new Error('vite.config.ts: more KIT_MANGLED_MEMBERS than SHORT_NAMES; add short names');
  const short = SHORT_NAMES.slice(0, KIT_MANGLED_MEMBERS.length);
  const mangleProps = {
    include: new RegExp(`^(?:${KIT_MANGLED_MEMBERS.join('|')})$`),
    cache: Object.fromEntries(KIT_MANGLED_MEMBERS.map((name, i) => [name, short[i]])),
  };
  // `x.S` or `{ S: 1 }` (not `import { S as x }`, nor a spread `...S`)
  const names = short.map((n) => n.replaceAll('$', '\\$')).join('|');
  const taken = new RegExp(`(?<!\\.)\\.(${names})(?![\\w$])|[{,]\\s*(${names})\\s*:`);
  return {
    name: 'live-elements:mangle-members',
    renderChunk(code, chunk) {
      const clash = taken.exec(code);
      if (clash) throw new Error(`${chunk.fileName} uses the property name "${clash[1] ?? clash[2]}", a short name of KIT_MANGLED_MEMBERS: remove it from SHORT_NAMES in vite.config.ts`);
      const out = minifySync(chunk.fileName, code, { module: true, compress: false, mangle: false, codegen: false, mangleProps });
      if (out.errors.length > 0) throw new Error(`renaming members in ${chunk.fileName}: ${out.errors.map((e) => e.message).join('; ')}`);
      return { code: out.code, map: null };
    },
  };
}

/**
 * Three builds (`scripts/build.mjs` runs them in turn):
 * - default mode: the ES modules for bundlers in `dist/esm/`, one entry per element and the core,
 *   dependencies external, so a bundler tree-shakes what a page does not use;
 * - `--mode kit`: the script-tag kit, everything bundled into `dist/chunks/kit-[hash].js` (see
 *   {@link inKitChunk}; `dist/live-elements.module.js` is an ES module entry that imports it), the
 *   chart (with uPlot) in its own hashed chunk, loaded only when a chart is on the page;
 * - `--mode loader`: `dist/live-elements.js`, the classic script that reads its tag and imports
 *   the kit chunk, whose name `scripts/build.mjs` passes in as `__KIT_MODULE__`.
 */
export default defineConfig(({ mode }): UserConfig => {
  const common: UserConfig = {
    logLevel: 'warn',
    esbuild: { target: 'es2022' },
    build: { target: 'es2022', minify: true, sourcemap: false, reportCompressedSize: false, copyPublicDir: false },
  };
  if (mode === 'loader') {
    return {
      ...common,
      build: {
        ...common.build,
        outDir: at('dist'),
        emptyOutDir: false,
        lib: { entry: at('src/index.ts'), formats: ['iife'], name: 'liveElementsLoader', fileName: () => 'live-elements.js' },
      },
    };
  }
  if (mode === 'kit') {
    return {
      ...common,
      // The minifier leaves template literals alone: Lit's own plugin minifies the markup of
      // `html` templates and the stylesheets of `css` ones (the widgets' indentation and comments).
      plugins: [minifyHTML({ include: ['src/**/*.ts'], failOnError: true }) as unknown as Plugin, shortLitErrors(), mangleMembers(), terserAfter(), foldWorkerUrl()],
      // Chunks and the worker are found relative to the kit, wherever dist/ is served from.
      base: './',
      build: {
        ...common.build,
        outDir: at('dist'),
        emptyOutDir: false,
        // The SharedWorker is emitted as an asset: hashed, beside the chunks, served immutable.
        assetsDir: 'chunks',
        lib: { entry: { 'live-elements.module': at('src/kit.ts') }, formats: ['es'] },
        rollupOptions: {
          output: {
            entryFileNames: '[name].js',
            chunkFileNames: 'chunks/[name]-[hash].js',
            assetFileNames: 'chunks/[name]-[hash][extname]',
            minify: true,
            // No `/* @__PURE__ */` marks: they help a bundler tree-shake, a browser only downloads them.
            comments: { annotation: false },
            codeSplitting: { groups: [{ name: 'kit', test: (id: string) => inKitChunk(id) }] },
          },
        },
      },
    };
  }
  return {
    ...common,
    // The SharedWorker's URL is written relative to the module that starts it, so an app's bundler
    // finds the worker file in the package (and copies it) instead of asking its own origin's /assets/.
    base: './',
    build: {
      ...common.build,
      outDir: at('dist/esm'),
      emptyOutDir: false,
      minify: false,
      lib: {
        entry: Object.fromEntries([
          ['core/index', at('src/core/index.ts')],
          ...elements.map((e) => [`elements/${e}`, at(`src/elements/${e}/${e}.ts`)]),
        ]),
        formats: ['es'],
      },
      rollupOptions: {
        external,
        output: { entryFileNames: '[name].js', chunkFileNames: 'shared/[name]-[hash].js' },
      },
    },
  };
});
