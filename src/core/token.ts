/**
 * Returns a fresh subscriber token (a JWT), or null for none. Called before the stream opens, again
 * shortly before the token's `exp`, after a 401 and after the relay ends a stream with
 * `token-expired`.
 */
export type TokenFunction = () => string | null | Promise<string | null>;

/** A subscriber token as a page gives it: a JWT string, a function returning fresh ones, or none. */
export type TokenOption = string | null | TokenFunction;

/** The claims the kit reads (without verifying: the relay verifies) from a JWT's payload. */
interface Claims {
  sub?: unknown;
  exp?: unknown;
  iat?: unknown;
}

/**
 * A JWT's payload, or an empty object when the token is not a readable JWT. Read as Latin-1
 * (`atob`): non-ASCII text in `sub` comes out garbled but the same in every tab, which is all the
 * identity hash needs, and the numbers are exact.
 */
export function claimsOf(token: string | null): Claims {
  try {
    return (JSON.parse(atob(token!.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as Claims | null) ?? {};
  } catch {
    return {};
  }
}

/** A token's `exp` in unix ms, or null. */
export function expOf(token: string | null): number | null {
  const { exp } = claimsOf(token);
  return typeof exp === 'number' ? exp * 1000 : null;
}

/**
 * The identity a token stands for, as a hash fit for names others can read (a SharedWorker's,
 * a Web Lock's, a BroadcastChannel's): '' without a token, else a hash of its `sub` claim, or of
 * the token itself when it has none. Two tokens of one `sub` (a refresh) give the same identity.
 */
export function identityOf(token: string | null): string {
  if (!token) return '';
  const { sub } = claimsOf(token);
  const text = typeof sub === 'string' ? `sub:${sub}` : `token:${token}`;
  // Two 32-bit FNV-1a hashes with different seeds: names must not collide between identities.
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x050c5d1f);
}

function fnv1a(text: string, seed: number): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * What the stream, the snapshot reads and a worker link need of a token holder: a
 * {@link TokenKeeper}, or a page's stand-in when it has no token (so a page without one never
 * loads this module).
 */
export interface Tokens {
  readonly value: string | null;
  readonly renewable: boolean;
  readonly refreshAt: number | null;
  get(): Promise<string | null>;
  refresh(): Promise<string | null>;
}

/** Longest lead before `exp` at which a token is refreshed; shorter tokens refresh at 90% of their life. */
const MAX_LEAD_MS = 30_000;

/**
 * Holds one page's (or one worker's) subscriber token: hands out the current one, calls the token
 * function again when the current one nears its `exp` or was refused, and shares one call between
 * everybody asking at once.
 */
export class TokenKeeper implements Tokens {
  /** The last token obtained (null: none yet, or anonymous). */
  value: string | null;
  /** True when {@link refresh} can get a different token (the source is a function). */
  renewable: boolean;
  private refreshAtMs: number | null = null;
  private pending: Promise<string | null> | null = null;

  constructor(private readonly source: TokenOption) {
    this.renewable = typeof source === 'function';
    this.value = null;
    if (typeof source === 'string' && source) this.take(source);
  }

  /** When the current token should be replaced (unix ms), or null when it has no `exp` or cannot be. */
  get refreshAt(): number | null {
    return this.renewable ? this.refreshAtMs : null;
  }

  /** The token to send now: the current one, or a fresh one when there is none yet or it nears its `exp`. */
  get(): Promise<string | null> {
    const at = this.refreshAt;
    if (this.renewable && (this.value === null || (at !== null && Date.now() >= at))) return this.refresh();
    return Promise.resolve(this.value);
  }

  /**
   * A fresh token from the token function (a string source gives itself again). Rejects with an
   * Error saying what is wrong when the function throws or returns something else than a string or null.
   */
  refresh(): Promise<string | null> {
    const source = this.source;
    if (!this.renewable || typeof source !== 'function') return Promise.resolve(this.value);
    this.pending ??= (async () => {
      try {
        let token: unknown;
        try {
          token = await source();
        } catch (err) {
          token = err instanceof Error ? err.message : err;
          throw new Error(`the token function failed: ${String(token)}`);
        }
        if (token !== null && (typeof token !== 'string' || !token)) throw new Error(`the token function returned ${JSON.stringify(token)}, not a JWT or null`);
        this.take(token);
        return token;
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  /** Makes `token` the current one and works out when to replace it. */
  take(token: string | null): void {
    this.value = token;
    const exp = expOf(token);
    const { iat } = claimsOf(token);
    const life = exp === null ? 0 : exp - (typeof iat === 'number' ? iat * 1000 : Date.now());
    this.refreshAtMs = exp === null ? null : exp - Math.min(MAX_LEAD_MS, Math.max(0, life) / 10);
  }
}

/** The keeper of a `token` option: the one given when it is already a keeper, else a new one for the JWT or function. */
export function tokensOf(token: TokenOption | Tokens | undefined): Tokens {
  return typeof token === 'object' && token !== null ? token : new TokenKeeper(token ?? null);
}
