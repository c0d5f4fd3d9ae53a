import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Selector } from '../../src/core/wire.js';
import type { Config } from '../config.js';
import { readPublicKey } from './public-key.js';
import { grantsCover, parsePublicTopics, parseTopicsClaim, uncovered, type Grants } from './grants.js';

/** A reader whose token was verified. */
export interface TokenReader {
  /** The token's `sub`, or null when it has none. */
  readonly sub: string | null;
  /** When the token expires, in unix ms (null: no `exp` claim). */
  readonly expiresAt: number | null;
  readonly grants: Grants;
}

/** What SubscriberAuth reads from the configuration; the claim checks are optional for callers that need none. */
export type SubscriberAuthConfig = Pick<Config, 'SUBSCRIBER_JWT_SECRET' | 'SUBSCRIBER_JWT_PUBLIC_KEY' | 'PUBLIC_TOPICS'> &
  Partial<Pick<Config, 'SUBSCRIBER_JWT_AUDIENCE' | 'SUBSCRIBER_JWT_ISSUER' | 'SUBSCRIBER_JWT_REQUIRE_EXP'>>;

/** The answer to "may this request read these selectors?". */
export type ReaderDecision =
  /** `reader` is null for an anonymous reader of public topics only. */
  | { readonly ok: true; readonly reader: TokenReader | null }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: 'unauthorized' | 'forbidden';
      readonly reason: RefusalReason;
      readonly message: string;
      /** A 403's requested selectors the token does not cover, so a client can drop just those. */
      readonly selectors?: readonly string[];
    };

/** Why a reader was refused (the `reason` label of live_readers_refused_total). */
export type RefusalReason = 'missing' | 'invalid' | 'expired' | 'not-covered';

/**
 * Verifies subscriber tokens (JWTs, with jose) and decides which selectors a request may read.
 * HS256 with SUBSCRIBER_JWT_SECRET and/or the algorithm of SUBSCRIBER_JWT_PUBLIC_KEY (RS256 for an
 * RSA key, ES256/ES384/ES512 for an EC key by its curve, EdDSA for Ed25519). Without either
 * variable nothing can be verified, so every topic is public.
 */
export class SubscriberAuth {
  /** True when tokens can be verified and PUBLIC_TOPICS applies. */
  readonly enabled: boolean;
  /** What anyone may read without a token. */
  readonly publicGrants: Grants;
  private readonly secret: Uint8Array | null;
  private readonly publicKey: { key: KeyObject; alg: string } | null;
  private readonly algorithms: string[];
  /** The claims every token must pass: `aud`/`iss` when configured, `exp` unless turned off. */
  private readonly claimChecks: JWTVerifyOptions;

  constructor(config: SubscriberAuthConfig) {
    this.secret = config.SUBSCRIBER_JWT_SECRET ? new TextEncoder().encode(config.SUBSCRIBER_JWT_SECRET) : null;
    this.publicKey = config.SUBSCRIBER_JWT_PUBLIC_KEY ? readPublicKey(config.SUBSCRIBER_JWT_PUBLIC_KEY) : null;
    this.algorithms = [...(this.secret ? ['HS256'] : []), ...(this.publicKey ? [this.publicKey.alg] : [])];
    this.claimChecks = {
      algorithms: this.algorithms,
      audience: config.SUBSCRIBER_JWT_AUDIENCE,
      issuer: config.SUBSCRIBER_JWT_ISSUER,
      requiredClaims: config.SUBSCRIBER_JWT_REQUIRE_EXP === false ? [] : ['exp'],
    };
    this.enabled = this.algorithms.length > 0;
    this.publicGrants = this.enabled ? parsePublicTopics(config.PUBLIC_TOPICS) : '*';
  }

  /** How readers are authorized, for the start banner. */
  describe(): string {
    if (!this.enabled) return 'readers: every topic public (set SUBSCRIBER_JWT_SECRET or SUBSCRIBER_JWT_PUBLIC_KEY to require tokens)';
    const pub = this.publicGrants === '*' ? 'every topic' : this.publicGrants.map((s) => (s.key === undefined ? s.topic : `${s.topic}/${s.key}`)).join(',') || 'none';
    const checks = [
      this.claimChecks.requiredClaims?.includes('exp') ? 'exp required' : 'exp optional (SUBSCRIBER_JWT_REQUIRE_EXP=0)',
      this.claimChecks.audience ? `aud ${String(this.claimChecks.audience)}` : null,
      this.claimChecks.issuer ? `iss ${String(this.claimChecks.issuer)}` : null,
    ].filter(Boolean);
    return `readers: ${this.algorithms.join('/')} tokens, public: ${pub} (${checks.join('; ')})`;
  }

  /**
   * Decides whether a request holding `token` (null: none sent) may read `wanted`. Public
   * selectors need no token; a token that fails to verify is ignored when everything asked for is
   * public (a stale cookie must not break an anonymous embed), and refused (401) otherwise.
   */
  async authorize(token: string | null, wanted: readonly Selector[]): Promise<ReaderDecision> {
    const allPublic = wanted.every((s) => grantsCover(this.publicGrants, s));
    if (token === null) {
      if (allPublic) return { ok: true, reader: null };
      const missing = uncovered(this.publicGrants, wanted).join(',');
      return refuse(401, 'missing', `"${missing}" is not public: send a subscriber token (Authorization: Bearer <jwt>, the ${'live_token'} cookie, or ?token=) whose "topics" claim covers it`);
    }
    const verified = await this.verify(token);
    if (!verified.ok) return allPublic ? { ok: true, reader: null } : verified;
    const reader = verified.reader;
    const denied = wanted.filter((s) => !grantsCover(this.publicGrants, s) && !grantsCover(reader.grants, s));
    if (denied.length > 0) {
      const names = uncovered(reader.grants, denied);
      const message = `the token${reader.sub === null ? '' : ` of "${reader.sub}"`} does not cover "${names.join(',')}": its "topics" claim must list these selectors, their topics, or "*"`;
      return { ...refuse(403, 'not-covered', message), selectors: names };
    }
    return { ok: true, reader };
  }

  /** Verifies a token's signature and claims; never echoes the token. */
  async verify(token: string): Promise<{ ok: true; reader: TokenReader } | (ReaderDecision & { ok: false })> {
    if (!this.enabled) return refuse(401, 'invalid', 'this relay verifies no subscriber tokens: set SUBSCRIBER_JWT_SECRET or SUBSCRIBER_JWT_PUBLIC_KEY');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keyFor(header.alg), this.claimChecks));
    } catch (err) {
      return refuse(401, err instanceof errors.JWTExpired ? 'expired' : 'invalid', explain(err, this.algorithms));
    }
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
    const claim = parseTopicsClaim(payload.topics, sub);
    if ('error' in claim) return refuse(401, 'invalid', `the token is not usable: ${claim.error}`);
    return { ok: true, reader: { sub, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null, grants: claim.grants } };
  }

  private keyFor(alg: string | undefined): Uint8Array | KeyObject {
    if (alg === 'HS256' && this.secret) return this.secret;
    if (this.publicKey && alg === this.publicKey.alg) return this.publicKey.key;
    // jose refuses algorithms outside `algorithms` before asking for a key; this is a safety net.
    throw new errors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
  }
}

/**
 * The warning for a PUBLIC_TOPICS that does nothing: without SUBSCRIBER_JWT_SECRET or
 * SUBSCRIBER_JWT_PUBLIC_KEY no token can be verified, so every topic is public. Null when fine.
 */
export function publicTopicsWarning(env: Record<string, string | undefined>, config: Pick<Config, 'SUBSCRIBER_JWT_SECRET' | 'SUBSCRIBER_JWT_PUBLIC_KEY'>): string | null {
  if (!env.PUBLIC_TOPICS?.trim() || config.SUBSCRIBER_JWT_SECRET || config.SUBSCRIBER_JWT_PUBLIC_KEY) return null;
  return 'PUBLIC_TOPICS is set but does nothing: every topic is public until SUBSCRIBER_JWT_SECRET or SUBSCRIBER_JWT_PUBLIC_KEY is set to verify subscriber tokens';
}

function refuse(status: 401 | 403, reason: RefusalReason, message: string): ReaderDecision & { ok: false } {
  return { ok: false, status, code: status === 401 ? 'unauthorized' : 'forbidden', reason, message };
}

/** A message a token's issuer can act on, from a jose error. */
function explain(err: unknown, algorithms: readonly string[]): string {
  if (err instanceof errors.JWTExpired) return 'the subscriber token has expired: fetch a fresh one and reconnect';
  if (err instanceof errors.JOSEAlgNotAllowed) return `the subscriber token is signed with an algorithm this relay does not accept; use ${algorithms.join(' or ')}`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the subscriber token signature does not verify: it was signed with another key than SUBSCRIBER_JWT_SECRET / SUBSCRIBER_JWT_PUBLIC_KEY';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp' && err.reason === 'missing') return 'the subscriber token has no "exp" claim: issue tokens that expire (or set SUBSCRIBER_JWT_REQUIRE_EXP=0 on the relay)';
    if (err.claim === 'aud') return 'the subscriber token\'s "aud" claim does not name this relay\'s SUBSCRIBER_JWT_AUDIENCE';
    if (err.claim === 'iss') return 'the subscriber token\'s "iss" claim is not this relay\'s SUBSCRIBER_JWT_ISSUER';
    return `the subscriber token is not valid yet or has a bad claim (${err.claim}): ${err.reason}`;
  }
  return 'the subscriber token is malformed: send a compact JWS (header.payload.signature)';
}
