import { z } from 'zod';
import { hideUrlCredentials } from './auth/log-redaction.js';
import { readPublicKey } from './auth/public-key.js';
import { MIN_WEBHOOK_KEY_BYTES, standardWebhooksKey } from './webhooks/webhook-auth.js';
import { LIST_LIMIT, parseSelector } from '../src/core/wire.js';
import { bridgeFieldError, parseBridgeMapping } from './sources/bridge-messages.js';

/**
 * The relay's configuration, read from the environment and validated once at start.
 * A bad value stops the relay with a message naming the variable and what it accepts.
 */

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''].includes(v), 'use 1/0, true/false, yes/no or on/off')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A list of `table:value` entries (Sequin table renames and key columns). */
const tableMap = (example: string) =>
  list.refine((entries) => entries.every((e) => /^[^:]+:[^:]+$/.test(e)), `use table:value entries separated by commas, e.g. ${example}`);

const schema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().trim().min(1).optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
    .optional(),
  /** Prefix of every Redis key the relay uses, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, 'must be 1-64 characters of letters, digits and _ . : { } -, e.g. live:')
    .default('live:'),
  PUBLISH_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Token-less publishing for callers on this machine outside the demo (in the demo it is on).
   * Off by default: behind a proxy on the same host every visitor is loopback.
   */
  PUBLISH_ALLOW_LOOPBACK: bool.default(false),
  /** The demo: the pages at `/`, `/cms.html`, `/drive.html` and `/demo/*`; `npm start` turns it on with the simulator. */
  DEMO: bool.default(false),
  /**
   * Set by `npm start` when it generated SEQUIN_WEBHOOK_SECRET for this session: the drive page may
   * then show that one to a loopback visitor. A secret from the environment is never shown.
   */
  DEMO_GENERATED_SECRET: bool.default(false),
  /** Bearer token `/metrics` requires; unset, `/metrics` is open. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // An HMAC key shorter than its hash's security level can be guessed; an empty one lets anyone sign.
  SEQUIN_WEBHOOK_SECRET: z.string().refine((v) => Buffer.byteLength(v) >= MIN_WEBHOOK_KEY_BYTES, `must be at least ${MIN_WEBHOOK_KEY_BYTES} bytes`).optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a Standard Webhooks secret: whsec_<base64>')
    .refine((v) => standardWebhooksKey(v).length >= MIN_WEBHOOK_KEY_BYTES, `its key (the base64 after whsec_) must decode to at least ${MIN_WEBHOOK_KEY_BYTES} bytes`)
    .optional(),
  CORS_ORIGINS: list.default([]),
  HEARTBEAT_MS: int(100).default(15000),
  /** The reconnection delay the stream's `retry:` field asks browsers to wait, in ms. */
  RETRY_MS: int(100).default(2000),
  MAX_LIFETIME_MS: int(1000).default(1_800_000),
  MAX_CLIENTS: int(1).default(50_000),
  MAX_CLIENTS_PER_IDENTITY: int(1).default(20),
  /** IPv6 visitors count per identity by this prefix (one /64 is one subscriber's network). */
  IPV6_PREFIX_BITS: int(1, 128).default(64),
  /** Proxies in front of the relay (a load balancer: 1) whose X-Forwarded-For gives the client's address. */
  TRUST_PROXY: int(0, 10).default(0),
  HISTORY_SIZE: int(1).default(10_000),
  /** Bytes a client's socket may hold unsent before the client is evicted. */
  MAX_BUFFERED_BYTES: int(1024).default(1_048_576),
  /** Largest accepted request body, in bytes (publish and webhooks). */
  MAX_BODY_BYTES: int(1024).default(1_048_576),
  /** Longest list an `append` op grows per key (the kit keeps the default, see wire-rules.ts). */
  LIST_LIMIT: int(1).default(LIST_LIMIT),
  /**
   * Deepest nesting of arrays/objects in one published value (publish, webhook). Capped well below
   * the depth at which encoding a value for the stream would overflow the stack.
   */
  MAX_VALUE_DEPTH: int(1, 1000).default(64),
  /** Largest published value, in bytes of its JSON; each client of its topic is sent all of it. */
  MAX_VALUE_BYTES: int(16).default(262_144),
  /** Most selectors (`topics=a,b/key,...`) one stream may take. */
  MAX_SELECTORS: int(1, 10_000).default(100),
  SIMULATE: bool.default(false),
  RSS_FEEDS: list.default([]),
  RSS_POLL_MS: int(1000).default(300_000),
  /** Largest feed document read, in bytes after decompression; the transfer is cut there. */
  RSS_MAX_BYTES: int(1024).default(5_000_000),
  /** Most items read from one feed document (the newest); older ones are ignored. */
  RSS_MAX_ITEMS: int(1).default(100),
  /** Most redirects followed when fetching a feed. */
  RSS_MAX_REDIRECTS: int(0, 20).default(5),
  /** Topics whose upserts are also recorded as time series for charts. */
  SERIES_TOPICS: list.default(['prices']),
  /** How long series points are kept, in ms (default 400 days, so `period=1y` has a full year). */
  SERIES_RETENTION_MS: int(60_000).default(34_560_000_000),
  /** Most points kept per series (topic/key); the oldest drop first. */
  SERIES_MAX_POINTS: int(10).default(100_000),
  /** Most fields one `GET /v1/series` may ask for with `fields=` (each is a column over every point). */
  SERIES_MAX_FIELDS: int(1, 1000).default(16),
  /** Most answers the series cache (Redis) holds at once; the one closest to expiry is dropped first. */
  SERIES_CACHE_MAX_ENTRIES: int(1).default(1000),
  /** Sequin table → topic renames, `table:topic,...` (e.g. `yahoo_leagues:leagues`). */
  SEQUIN_TOPIC_MAP: tableMap('yahoo_leagues:leagues').default([]),
  /** Sequin primary key column per table, `table:column,...` (default column `id`). */
  SEQUIN_KEY_MAP: tableMap('yahoo_leagues:league_id').default([]),
  /**
   * Redis Pub/Sub channels bridged into topics, `pattern=topic[:field],...` (e.g. `service:*=services`):
   * the part of the channel the pattern's one `*` matches is the key. Needs the Redis bus.
   */
  PUBSUB_BRIDGE: list
    .superRefine((entries, check) => {
      for (const e of entries) {
        const m = parseBridgeMapping(e);
        if (typeof m === 'string') check.addIssue({ code: 'custom', message: m });
      }
    })
    .default([]),
  /** The field (dotted path) of each bridged message that is the value, for mappings that name none. */
  PUBSUB_BRIDGE_FIELD: z
    .string()
    .trim()
    .superRefine((field, check) => {
      const message = bridgeFieldError(field);
      if (message) check.addIssue({ code: 'custom', message });
    })
    .optional(),
  /** A module of per-table Sequin transforms (path from the working directory), loaded at start. */
  TRANSFORMS: z.string().trim().min(1).optional(),
  /**
   * How long webhook idempotency keys are remembered, in ms: also how long a replayed bearer or
   * Sequin-Signature delivery is caught. Sequin retries an unacknowledged delivery indefinitely
   * (backoff capped near 3 minutes), so the default covers a week-long outage of the relay.
   */
  DEDUPE_TTL_MS: int(1000).default(604_800_000),
  /**
   * Topics (or `topic/key` selectors) anyone may read without a subscriber token; `*` for all.
   * Applies once SUBSCRIBER_JWT_SECRET or SUBSCRIBER_JWT_PUBLIC_KEY is set: without a key no token
   * can be verified, so every topic is public. The default keeps the demo feeds open to anonymous embeds.
   */
  PUBLIC_TOPICS: list
    .refine((entries) => entries.every((e) => e === '*' || !parseSelectorError(e)), 'use `*` or topics and topic/key selectors separated by commas, e.g. prices,rss')
    .default(['prices', 'leagues', 'rss', 'services', 'trades', 'games']),
  /** HS256 secret that signs subscriber tokens. */
  SUBSCRIBER_JWT_SECRET: z.string().min(32, 'must be at least 32 characters for HS256').optional(),
  /** PEM public key (RSA: RS256, EC P-256: ES256) that verifies subscriber tokens; `\n` escapes allowed. */
  SUBSCRIBER_JWT_PUBLIC_KEY: z
    .string()
    .superRefine((pem, check) => {
      const message = publicKeyError(pem);
      if (message) check.addIssue({ code: 'custom', message });
    })
    .optional(),
  /** The `aud` a subscriber token must name, when set. */
  SUBSCRIBER_JWT_AUDIENCE: z.string().trim().min(1).optional(),
  /** The `iss` a subscriber token must carry, when set. */
  SUBSCRIBER_JWT_ISSUER: z.string().trim().min(1).optional(),
  /** Refuse subscriber tokens without `exp` (a token that never expires cannot be revoked); 0 accepts them. */
  SUBSCRIBER_JWT_REQUIRE_EXP: bool.default(true),
  /** Where the built browser kit is (`npm run build` writes it); served at `/live-elements.js`. */
  KIT_DIR: z.string().trim().min(1).default(new URL('../dist', import.meta.url).pathname),
  /** How long browsers may cache the kit's entry files (`live-elements.js`), in seconds. */
  KIT_ENTRY_MAX_AGE_S: int(0).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

function parseSelectorError(text: string): string | null {
  try {
    parseSelector(text);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function publicKeyError(pem: string): string | null {
  try {
    readPublicKey(pem);
    return null;
  } catch (err) {
    return `must be a PEM public key (-----BEGIN PUBLIC KEY-----): ${(err as Error).message}`;
  }
}

/** Raised when the environment holds a bad value; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      // Secrets are never echoed; nor are the credentials a URL may carry (redis://user:pw@host).
      const shown = /SECRET|TOKEN|KEY$/.test(name) ? '(hidden)' : JSON.stringify(hideUrlCredentials(input[name] ?? ''));
      return `  ${name}=${shown}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.PUBSUB_BRIDGE.length > 0 && !parsed.data.REDIS_URL) {
    throw new ConfigError(
      'invalid configuration:\n  PUBSUB_BRIDGE needs the Redis bus: the bridge subscribes to Redis Pub/Sub channels, so set REDIS_URL to the Redis your workers PUBLISH on (or unset PUBSUB_BRIDGE)',
    );
  }
  return parsed.data;
}
