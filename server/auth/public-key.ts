import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Reads SUBSCRIBER_JWT_PUBLIC_KEY (PEM, SPKI or PKCS#1; `\n` escapes allowed so it fits one env
 * line) and picks the one algorithm it verifies, so a token cannot choose a weaker one.
 */
export function readPublicKey(text: string): { key: KeyObject; alg: string } {
  const key = createPublicKey(text.includes('\\n') ? text.replaceAll('\\n', '\n') : text);
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { key, alg: 'RS256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const alg = curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : null;
      if (!alg) throw new TypeError(`an EC key on curve ${curve} has no JWS algorithm; use P-256 (ES256), P-384 or P-521`);
      return { key, alg };
    }
    case 'ed25519':
      return { key, alg: 'EdDSA' };
    default:
      throw new TypeError(`a ${key.asymmetricKeyType} key cannot verify JWTs here; use an RSA (RS256) or EC P-256 (ES256) public key`);
  }
}
