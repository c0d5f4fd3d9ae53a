import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Router, type Response } from 'express';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';

/** Top-level kit files: `live-elements.js`, `live-elements.module.js`, the worker. No paths. */
const ENTRY = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.js$/;
/** Hashed chunks (`chunks/uPlot.esm-BeF90p-u.js`): their content never changes under a name. */
const CHUNK = /^[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9_-]{6,}\.(js|css)$/;
const YEAR_S = 365 * 24 * 3600;

/**
 * Serves the built browser kit from KIT_DIR so a page can embed straight from its relay:
 * `/live-elements.js` (short cache: a new build must reach pages soon), other top-level `.js`
 * files such as the kit module and the SharedWorker (short cache), and `/chunks/*` (hashed: a
 * year, immutable). Any origin may load it (the kit is public code; the data stays behind the
 * relay's own CORS and auth). Before `npm run build` it answers 503 saying so.
 */
export function kitRoutes(ctx: RelayContext): Router {
  const router = Router();
  const dir = resolve(ctx.config.KIT_DIR);
  const entryCache = `public, max-age=${ctx.config.KIT_ENTRY_MAX_AGE_S}, must-revalidate`;

  const send = (res: Response, rel: string, cacheControl: string, what: string) => {
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
    res.sendFile(file, { dotfiles: 'deny', lastModified: true, cacheControl: false, headers: { 'Content-Type': res.get('Content-Type') } }, (err) => {
      if (err && !res.headersSent) sendError(res, 500, 'internal', `could not read kit file ${what}`);
    });
  };

  router.get('/chunks/:file', (req, res) => {
    const name = req.params.file;
    if (!CHUNK.test(name)) return sendError(res, 404, 'not_found', `no kit chunk ${JSON.stringify(name)}`);
    send(res, join('chunks', name), `public, max-age=${YEAR_S}, immutable`, `/chunks/${name}`);
  });
  router.get('/:file', (req, res, next) => {
    const name = req.params.file;
    // Only the kit's own top-level scripts; everything else falls through to the other routes.
    if (!ENTRY.test(name) || !(name.startsWith('live-elements') || /worker/i.test(name))) return next();
    send(res, name, entryCache, `/${name}`);
  });
  return router;
}
