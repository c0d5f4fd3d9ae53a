import express from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { isLocalCaller } from '../identity.js';

/** Folder of the demo pages (dashboard, CMS page, drive page). */
export const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));

/**
 * The relay address written into the demo pages. A CMS page holds its relay's absolute URL; when
 * the relay itself serves those pages it swaps in the address the visitor actually used, so the
 * demo works on any host and port.
 */
export const DEMO_ORIGIN_PLACEHOLDER = 'http://localhost:8080';

/** Pages served with {@link DEMO_ORIGIN_PLACEHOLDER} replaced by the request's origin. */
const TEMPLATED = new Set(['/cms.html', '/drive.html']);

/** What `/demo/info.json` tells the drive page: how this relay accepts publishes and webhooks. */
export interface DemoInfo {
  /** `token`: bearer PUBLISH_TOKEN; `loopback`: no token, only loopback callers may publish. */
  publish: { auth: 'token' | 'loopback'; token: string | null; tokenEnv: 'PUBLISH_TOKEN' };
  sequin: {
    /** Which webhook authentications are configured; none means the webhook refuses every call. */
    bearer: boolean;
    hmac: boolean;
    standardWebhooks: boolean;
    secret: string | null;
    secretEnv: 'SEQUIN_WEBHOOK_SECRET';
    topicMap: string[];
    keyMap: string[];
  };
  simulate: boolean;
  /** True when secrets are shown: only for a loopback visitor that did not come through a proxy. */
  loopback: boolean;
}

/** Builds the drive page's view of the configuration; secrets only for a direct loopback visitor. */
export function demoInfo(config: Config, loopback: boolean): DemoInfo {
  return {
    publish: {
      auth: config.PUBLISH_TOKEN ? 'token' : 'loopback',
      token: loopback ? (config.PUBLISH_TOKEN ?? null) : null,
      tokenEnv: 'PUBLISH_TOKEN',
    },
    sequin: {
      bearer: Boolean(config.SEQUIN_WEBHOOK_SECRET),
      hmac: Boolean(config.SEQUIN_WEBHOOK_SECRET),
      standardWebhooks: Boolean(config.WEBHOOK_SECRET),
      secret: loopback ? (config.SEQUIN_WEBHOOK_SECRET ?? null) : null,
      secretEnv: 'SEQUIN_WEBHOOK_SECRET',
      topicMap: config.SEQUIN_TOPIC_MAP,
      keyMap: config.SEQUIN_KEY_MAP,
    },
    simulate: config.SIMULATE,
    loopback,
  };
}

/** The origin the visitor used, when the Host header is a plain host[:port]; else the placeholder. */
function requestOrigin(req: express.Request): string {
  const host = req.get('host') ?? '';
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i.test(host)) return DEMO_ORIGIN_PLACEHOLDER;
  return `${req.protocol}://${host}`;
}

/**
 * The demo: the dashboard at `/`, `/cms.html`, `/drive.html` and their assets from `demo/`, and
 * `/demo/info.json` for the drive page. Mount last: it only answers GET/HEAD for its own files.
 */
export function demoRoutes(ctx: { config: Config }): express.Router {
  const router = express.Router();

  router.get('/demo/info.json', (req, res) => {
    res.set('Cache-Control', 'no-store').json(demoInfo(ctx.config, isLocalCaller(req)));
  });

  router.get([...TEMPLATED], async (req, res, next) => {
    try {
      const html = await readFile(DEMO_DIR + req.path.slice(1), 'utf8');
      res
        .type('html')
        .set('Cache-Control', 'no-cache')
        .send(html.replaceAll(DEMO_ORIGIN_PLACEHOLDER, requestOrigin(req)));
    } catch (err) {
      next(err);
    }
  });

  router.use(express.static(DEMO_DIR, { index: 'index.html', maxAge: 0, dotfiles: 'ignore' }));
  return router;
}
