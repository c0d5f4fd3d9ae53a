import { pino } from 'pino';
import { LOG_REDACTION } from './auth/log-redaction.js';
import { publicTopicsWarning } from './auth/subscriber-auth.js';
import { createBus } from './bus/create-bus.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContext } from './context.js';
import { publishAuthMode } from './publish-auth.js';
import { listen } from './server.js';
import { startSources } from './sources/start-sources.js';
import { loadTransforms, TransformsLoadError } from './webhooks/sequin-transforms.js';

/*
 * The relay's entry point: validate the environment, make the bus, listen, print one banner line,
 * and stop gracefully on SIGTERM/SIGINT.
 */

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`live-elements relay: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

// A TRANSFORMS module that cannot load stops the relay here, not at the first webhook.
if (config.TRANSFORMS) {
  await loadTransforms(config.TRANSFORMS).catch((err: unknown) => {
    if (!(err instanceof TransformsLoadError)) throw err;
    process.stderr.write(`live-elements relay: ${err.message}\n`);
    process.exit(1);
  });
}

const log = pino({ level: config.LOG_LEVEL, redact: LOG_REDACTION });
const authWarning = publicTopicsWarning(process.env, config);
if (authWarning) log.warn(authWarning);
const bus = await createBus(config, log);
const ctx = createContext(config, bus, log);
const relay = await listen(ctx, config.PORT, config.HOST);
const sources = startSources(ctx);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

// The banner comes last: whoever waits for it (a supervisor, a test) may signal at once.
const feeds = sources.length ? `, feeds: ${sources.join(', ')}` : '';
const mode = config.DEMO
  ? `mode: DEMO, not for production (the dashboard at ${relay.url}/, /cms.html, /drive.html)`
  : 'mode: production (no demo pages; DEMO=1 adds them)';
process.stdout.write(`live-elements relay listening on ${relay.url} (${mode}, bus: ${bus.kind}, ${publishAuthMode(config)}, ${ctx.subscriberAuth.describe()}${feeds})\n`);
