// Precompressed copies of the script-tag kit, made once at build time so the relay
// (server/routes/kit.ts) sends them as they are instead of compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { brotliCompressSync, constants } from 'node:zlib';

/** The folders of dist/ the relay serves; esm/ and types/ are for bundlers, which compress themselves. */
const SERVED = ['.', 'chunks'];

/**
 * Writes `<file>.gz` (zopfli: valid gzip, a few percent smaller than gzip -9) and `<file>.br`
 * (brotli, quality 11) beside every `.js` file at the top of `dist` and in `dist/chunks/`.
 * Returns the paths of the files it compressed.
 *
 * Zopfli takes most of the time, so the files are shared out by size among worker threads, one a
 * core. The threads also keep zopfli (Emscripten) out of the calling process: loading it there
 * installs its own handlers for uncaught errors, which print its whole minified source.
 */
export async function compressKit(dist) {
  const files = SERVED.flatMap((dir) =>
    readdirSync(join(dist, dir), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.js'))
      .map((e) => ({ path: join(dist, dir, e.name), bytes: statSync(join(dist, dir, e.name)).size })),
  );
  const shares = Array.from({ length: Math.min(availableParallelism(), files.length) }, () => ({ bytes: 0, paths: [] }));
  for (const f of [...files].sort((a, b) => b.bytes - a.bytes)) {
    const least = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    least.paths.push(f.path);
    least.bytes += f.bytes;
  }
  await Promise.all(shares.map(({ paths }) => new Promise((resolve, reject) => {
    new Worker(new URL(import.meta.url), { workerData: { compressKit: paths }, execArgv: [] })
      .on('error', reject)
      .on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`compressing ${paths.join(', ')}: the worker thread exited with code ${code}`))));
  })));
  return files.map((f) => f.path);
}

/** In a worker thread started by compressKit: compresses its share of the files. */
async function compressFiles(paths) {
  const { gzipAsync } = await import('@gfx/zopfli');
  for (const file of paths) {
    const body = readFileSync(file);
    writeFileSync(`${file}.gz`, await gzipAsync(body, { numiterations: 15 }));
    writeFileSync(`${file}.br`, brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }));
  }
}

if (!isMainThread && workerData?.compressKit) await compressFiles(workerData.compressKit);
