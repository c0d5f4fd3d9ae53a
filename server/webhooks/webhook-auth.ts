import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The secrets a webhook sink accepts; each one set enables its schemes. */
export interface WebhookSecrets {
  /** `SEQUIN_WEBHOOK_SECRET`: `Authorization: Bearer <it>`, or the key of a hex `Sequin-Signature`. */
  sequinSecret?: string;
  /** `WEBHOOK_SECRET`: a Standard Webhooks secret, `whsec_<base64 key>`. */
  standardSecret?: string;
}

/**
 * Shortest HMAC or bearer key accepted, in bytes (128 bits). A shorter key can be guessed, and an
 * empty one (`whsec_=`) lets anyone sign. The configuration refuses such keys at start; the check
 * here keeps a short key given in code from ever verifying anything.
 */
export const MIN_WEBHOOK_KEY_BYTES = 16;

/** Standard Webhooks' tolerance for `webhook-timestamp`, both ways, in seconds. */
export const TIMESTAMP_TOLERANCE_S = 300;

export type WebhookAuth =
  | { ok: true; scheme: 'bearer' | 'standard-webhooks' | 'sequin-signature' }
  | { ok: false; configured: boolean; message: string };

/** Header lookup, lower-case names, as node gives them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Checks a delivery against every configured scheme; any one valid passes. Comparisons run in
 * constant time on equal-length byte strings. The failure message says what was checked and how
 * to fix it, without revealing anything about the secrets.
 */
export function verifyWebhook(headers: HeaderBag, rawBody: Buffer, secrets: WebhookSecrets, nowMs = Date.now()): WebhookAuth {
  const { sequinSecret, standardSecret } = secrets;
  const weak = [
    sequinSecret !== undefined && Buffer.byteLength(sequinSecret) < MIN_WEBHOOK_KEY_BYTES ? 'SEQUIN_WEBHOOK_SECRET' : null,
    standardSecret !== undefined && standardWebhooksKey(standardSecret).length < MIN_WEBHOOK_KEY_BYTES ? 'WEBHOOK_SECRET' : null,
  ].filter(Boolean);
  if (weak.length > 0) {
    return { ok: false, configured: false, message: `webhooks are disabled: ${weak.join(' and ')} must hold a key of at least ${MIN_WEBHOOK_KEY_BYTES} bytes` };
  }
  if (!sequinSecret && !standardSecret) {
    return { ok: false, configured: false, message: 'webhooks are disabled: set SEQUIN_WEBHOOK_SECRET (bearer token or Sequin-Signature key) or WEBHOOK_SECRET (Standard Webhooks whsec_...) on the relay' };
  }
  const problems: string[] = [];
  if (sequinSecret) {
    const auth = header(headers, 'authorization');
    if (auth !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (m && sameSecret(m[1], sequinSecret)) return { ok: true, scheme: 'bearer' };
      problems.push('the Authorization bearer token does not match SEQUIN_WEBHOOK_SECRET');
    }
    const sig = header(headers, 'sequin-signature');
    if (sig !== undefined) {
      if (sequinSignatureValid(sig, rawBody, sequinSecret)) return { ok: true, scheme: 'sequin-signature' };
      problems.push('Sequin-Signature is not the hex HMAC-SHA256 of the body keyed by SEQUIN_WEBHOOK_SECRET');
    }
  }
  if (standardSecret) {
    const result = standardWebhookProblem(headers, rawBody, standardSecret, nowMs);
    if (result === null) return { ok: true, scheme: 'standard-webhooks' };
    if (result !== 'absent') problems.push(result);
  }
  if (problems.length === 0) {
    const ways = [
      sequinSecret ? 'Authorization: Bearer <SEQUIN_WEBHOOK_SECRET>' : null,
      sequinSecret ? 'Sequin-Signature: <hex HMAC-SHA256 of the body>' : null,
      standardSecret ? 'webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks, WEBHOOK_SECRET)' : null,
    ].filter(Boolean);
    return { ok: false, configured: true, message: `no credentials: send ${ways.join(', or ')}` };
  }
  return { ok: false, configured: true, message: problems.join('; ') };
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Hashing both sides first makes the comparison constant-time whatever their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function sequinSignatureValid(sig: string, body: Buffer, secret: string): boolean {
  const hex = sig.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}

/** The Standard Webhooks signing key: the base64 part of `whsec_<base64>`. */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** null when valid, 'absent' when no Standard Webhooks headers were sent, else what is wrong. */
function standardWebhookProblem(headers: HeaderBag, body: Buffer, secret: string, nowMs: number): string | 'absent' | null {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined && timestamp === undefined && signatures === undefined) return 'absent';
  if (!id || !timestamp || !signatures) {
    return 'Standard Webhooks needs all three headers webhook-id, webhook-timestamp and webhook-signature';
  }
  if (!/^\d{1,12}$/.test(timestamp)) return `webhook-timestamp must be unix seconds (got ${JSON.stringify(timestamp.slice(0, 20))})`;
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > TIMESTAMP_TOLERANCE_S) {
    return `webhook-timestamp is ${Math.round(skew)} s away from the relay's clock (tolerance ${TIMESTAMP_TOLERANCE_S} s): a replayed or delayed delivery, or a clock out of sync`;
  }
  const expected = createHmac('sha256', standardWebhooksKey(secret))
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(body)
    .digest();
  // Several signatures during key rotation: any one that matches passes.
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return 'no v1 signature in webhook-signature matches WEBHOOK_SECRET';
}
