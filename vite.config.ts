import { resolve } from 'node:path';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';

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
 * (stream-links.ts and what only it imports: the SSE client, the hub and its topic syncs), loaded
 * only without a SharedWorker, and the token code, loaded only when a token is set.
 */
function inKitChunk(id: string): boolean {
  if (/node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]/.test(id)) return true;
  if (/[\\/]src[\\/]core[\\/](sse-stream|stream-hub|topic-sync|backoff|token|links[\\/](stream-links|leader-link|in-page-link))\.ts$/.test(id)) return false;
  if (/[\\/]src[\\/]elements[\\/](live-price-chart|live-value|live-ticker)[\\/]/.test(id)) return false;
  // The series shape (periods, bucket rule) is the chart's alone on the page side.
  if (/[\\/]src[\\/]core[\\/]series-shape\.ts$/.test(id)) return false;
  return /[\\/]src[\\/]/.test(id);
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
      plugins: [minifyHTML({ include: ['src/**/*.ts'], failOnError: true }) as unknown as Plugin],
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
