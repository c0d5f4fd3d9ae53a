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

/** A JWT's payload, or null when the token is not a readable JWT. */
function claimsOf(token: string): Claims | null {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
    return typeof claims === 'object' && claims !== null ? (claims as Claims) : null;
  } catch {
    return null;
  }
}

/**
 * The identity a token stands for, as a hash fit for names others can read (a SharedWorker's,
 * a Web Lock's, a BroadcastChannel's): '' without a token, else a hash of its `sub` claim, or of
 * the token itself when it has none. Two tokens of one `sub` (a refresh) give the same identity.
 */
export function identityOf(token: string | null): string {
  if (!token) return '';
  const sub = claimsOf(token)?.sub;
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

/** Longest lead before `exp` at which a token is refreshed; shorter tokens refresh at 90% of their life. */
const MAX_LEAD_MS = 30_000;

/**
 * Holds one page's (or one worker's) subscriber token: hands out the current one, calls the token
 * function again when the current one nears its `exp` or was refused, and shares one call between
 * everybody asking at once.
 */
export class TokenKeeper {
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
    if (!this.renewable || typeof this.source !== 'function') return Promise.resolve(this.value);
    const source = this.source;
    this.pending ??= (async () => {
      try {
        let token: unknown;
        try {
          token = await source();
        } catch (err) {
          throw new Error(`the token function failed: ${err instanceof Error ? err.message : String(err)}; it must return a subscriber token (a JWT) or null`);
        }
        if (token !== null && (typeof token !== 'string' || token === '')) {
          throw new Error(`the token function returned ${typeof token === 'string' ? 'an empty string' : typeof token}; it must return a subscriber token (a JWT string) or null`);
        }
        this.take(token);
        return token;
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  /** Adopts `token` (from a page, in the worker) when it lives longer than the current one. */
  offer(token: string | null): void {
    if (token === null || token === this.value) return;
    const exp = expOf(token);
    const current = this.value === null ? null : expOf(this.value);
    if (this.value === null || exp === null || (current !== null && exp > current)) this.take(token);
  }

  private take(token: string | null): void {
    this.value = token;
    const claims = token ? claimsOf(token) : null;
    const exp = expOf(token);
    if (exp === null) {
      this.refreshAtMs = null;
      return;
    }
    const issued = typeof claims?.iat === 'number' ? claims.iat * 1000 : Date.now();
    const lead = Math.min(MAX_LEAD_MS, Math.max(0, exp - issued) / 10);
    this.refreshAtMs = exp - lead;
  }
}

/** A token's `exp` in unix ms, or null. */
function expOf(token: string | null): number | null {
  const exp = token ? claimsOf(token)?.exp : undefined;
  return typeof exp === 'number' ? exp * 1000 : null;
}
