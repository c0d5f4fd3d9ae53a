import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';

/** Top-level kit files: `live-elements.js`, `live-elements.module.js`, the worker. No paths. */
const ENTRY = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.js$/;
/** Hashed chunks (`chunks/uPlot.esm-BeF90p-u.js`): their content never changes under a name. */
const CHUNK = /^[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9_-]{6,}\.(js|css)$/;
const YEAR_S = 365 * 24 * 3600;
/** The precompressed siblings the build writes (scripts/compress-kit.mjs), by content coding. */
const PRECOMPRESSED: Record<string, string> = { br: '.br', gzip: '.gz' };

/**
 * Serves the built browser kit from KIT_DIR so a page can embed straight from its relay:
 * `/live-elements.js` (short cache: a new build must reach pages soon), other top-level `.js`
 * files such as the kit module and the SharedWorker (short cache), and `/chunks/*` (hashed: a
 * year, immutable). Any origin may load it (the kit is public code; the data stays behind the
 * relay's own CORS and auth). Each file goes out precompressed when the client accepts it and the
 * build made the sibling: `<file>.br` (brotli) or `<file>.gz` (zopfli's gzip), chosen by
 * Accept-Encoding with its q-values; a dist/ without them is served plain. Before `npm run build`
 * it answers 503 saying so.
 */
export function kitRoutes(ctx: RelayContext): Router {
  const router = Router();
  const dir = resolve(ctx.config.KIT_DIR);
  const entryCache = `public, max-age=${ctx.config.KIT_ENTRY_MAX_AGE_S}, must-revalidate`;

  const send = (req: Request, res: Response, rel: string, cacheControl: string, what: string) => {
    const file = join(dir, rel);
    if (!existsSync(join(dir, 'live-elements.js'))) {
      return sendError(res, 503, 'kit_not_built', `the browser kit is not built in ${dir}: run \`npm run build\` (npm start builds it when dist/ is missing or older than src/)`);
    }
    if (!existsSync(file)) {
      return sendError(res, 404, 'not_found', `no kit file ${what}; the page may hold an old build's name: reload it`);
    }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(rel.endsWith('.css') ? 'text/css' : 'text/javascript');
    res.vary('Accept-Encoding');
    // The kit chooses its own coding (its precompressed siblings, or plain with byte ranges): the
    // app's on-the-fly compression leaves it alone (see app.ts).
    res.locals.precompressed = true;
    // Brotli wherever it is accepted (browsers list `gzip, deflate, br, zstd`, all at q=1, and a
    // plain negotiation would pick the first); `br;q=0` or its absence falls back to gzip.
    const coding = req.acceptsEncodings('br') ? 'br' : req.acceptsEncodings('gzip') ? 'gzip' : false;
    const sibling = coding ? { coding, path: file + PRECOMPRESSED[coding] } : null;
    const encoded = sibling && existsSync(sibling.path) ? sibling : null;
    if (encoded) res.setHeader('Content-Encoding', encoded.coding);
    // The compressed file's own stat gives the Content-Length and an ETag of its own. No byte
    // ranges of an encoded body: a range would count compressed bytes, which few clients expect.
    res.sendFile(encoded?.path ?? file, { dotfiles: 'deny', lastModified: true, cacheControl: false, acceptRanges: !encoded, headers: { 'Content-Type': res.get('Content-Type') } }, (err) => {
      if (err && !res.headersSent) {
        res.removeHeader('Content-Encoding');
        sendError(res, 500, 'internal', `could not read kit file ${what}`);
      }
    });
  };

  router.get('/chunks/:file', (req, res) => {
    const name = req.params.file;
    if (!CHUNK.test(name)) return sendError(res, 404, 'not_found', `no kit chunk ${JSON.stringify(name)}`);
    send(req, res, join('chunks', name), `public, max-age=${YEAR_S}, immutable`, `/chunks/${name}`);
  });
  router.get('/:file', (req, res, next) => {
    const name = req.params.file;
    // Only the kit's own top-level scripts; everything else falls through to the other routes.
    if (!ENTRY.test(name) || !(name.startsWith('live-elements') || /worker/i.test(name))) return next();
    send(req, res, name, entryCache, `/${name}`);
  });
  return router;
}
