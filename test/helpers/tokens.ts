import { SignJWT, type CryptoKey, type KeyObject } from 'jose';

/** The HS256 secret the auth tests configure as SUBSCRIBER_JWT_SECRET. */
export const TEST_JWT_SECRET = 'test-subscriber-secret-0123456789abcdef';

export interface MintOptions {
  sub?: string;
  /** The `topics` claim; omitted when undefined. */
  topics?: unknown;
  /** Seconds from now until `exp` (negative: already expired); no `exp` claim when null. */
  expiresIn?: number | null;
  /** Signing key: the HS256 secret (default TEST_JWT_SECRET) or a private key with `alg`. */
  key?: string | CryptoKey | KeyObject | Uint8Array;
  alg?: string;
  /** The `aud` and `iss` claims; omitted when undefined. */
  audience?: string | string[];
  issuer?: string;
}

/** Signs a subscriber token the way an application backend would (jose's SignJWT). */
export async function mintToken(options: MintOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (options.topics !== undefined) claims.topics = options.topics;
  const alg = options.alg ?? 'HS256';
  const jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt();
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  const expiresIn = options.expiresIn === undefined ? 600 : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  const key = options.key ?? TEST_JWT_SECRET;
  return jwt.sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}
