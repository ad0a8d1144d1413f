import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Why {@link verifyHs256} refused a token. */
export type Hs256Failure = 'malformed' | 'algorithm' | 'signature' | 'not_before' | 'expired' | 'audience' | 'issuer';

/** What {@link verifyHs256} checks beyond the signature. */
export interface Hs256Checks {
  /** Seconds since the epoch. */
  clockTimestamp: number;
  issuer?: string;
  audience?: string;
}

// base64url segments of a compact JWS; the signature of HS256 is always 43 characters.
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

const parseObject = (segment: string): Record<string, unknown> | undefined => {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The payload of a compact HS256 JWS signed with `key`, or why it is refused: the checks of
 * `jsonwebtoken.verify` with `algorithms: ['HS256']` in its order (algorithm, signature, `nbf`,
 * `exp`, `aud`, `iss`), on `node:crypto` alone. jsonwebtoken re-parses its options, splits the
 * token three times and builds error objects on every call, which made it the largest single
 * cost of a cached authenticated request (docs/decisions.md, "Tokens and sessions").
 */
export function verifyHs256(token: string, key: KeyObject, checks: Hs256Checks): Record<string, unknown> | Hs256Failure {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) return 'malformed';
  const header = parseObject(token.slice(0, first));
  if (!header) return 'malformed';
  if (header.alg !== 'HS256') return 'algorithm';
  const signature = token.slice(second + 1);
  if (!SIGNATURE.test(signature)) return 'signature';
  const expected = createHmac('sha256', key).update(token.slice(0, second)).digest('base64url');
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return 'signature';
  const payload = parseObject(token.slice(first + 1, second));
  if (!payload) return 'malformed';
  const { nbf, exp, aud, iss } = payload;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > checks.clockTimestamp)) return 'not_before';
  if (exp !== undefined) {
    if (typeof exp !== 'number') return 'malformed';
    if (checks.clockTimestamp >= exp) return 'expired';
  }
  if (checks.audience !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(checks.audience)) return 'audience';
  if (checks.issuer !== undefined && iss !== checks.issuer) return 'issuer';
  return payload;
}
