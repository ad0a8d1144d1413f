import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { authenticationError } from '../errors/app-error';
import { verifyHs256 } from './hs256';
import type { AccessTokenRequest, IssuedToken, TokenClaims, TokenService } from './token-service';

/** Options of {@link JwtTokenService}. */
export interface JwtTokenServiceOptions {
  /** HS256 signing key. */
  secretKey: string;
  /** Lifetime of an access token in minutes. */
  expireMinutes: number;
  /** `iss` of issued tokens, required on verification when set. */
  issuer?: string;
  /** `aud` of issued tokens, required on verification when set. */
  audience?: string;
  /** The clock in milliseconds since the epoch; `Date.now` unless a test steers time. */
  now?: () => number;
}

// The only algorithm this service signs with, and therefore the only one it accepts: pinning it
// closes the `alg: none` and algorithm-confusion doors.
const ALGORITHM = 'HS256';
// Ids are INTEGER columns: anything longer than 10 digits, or above 2^31 - 1, is no id of ours.
const POSITIVE_INTEGER = /^[1-9]\d{0,9}$/;
const INT4_MAX = 2_147_483_647;
const isId = (value: unknown): value is string => typeof value === 'string' && POSITIVE_INTEGER.test(value) && Number(value) <= INT4_MAX;
const ACCESS = 'access';
// Tokens whose signature and claims were checked, kept for the next request that carries them.
const VERIFIED_TOKENS = 10_000;

/**
 * {@link TokenService} (jsonwebtoken signs, {@link verifyHs256} verifies): HS256 access tokens
 * whose `sub` is the user id, `sid` the session row every request checks, `jti` unique per
 * token and `typ` always `access` (docs/guides/security.md "Tokens and sessions").
 *
 * @example
 * const tokens = new JwtTokenService({ secretKey, expireMinutes: 15 });
 * const { token } = tokens.issue({ userId: 42, sessionId: 7 });
 * tokens.verify(token).sid; // '7'
 */
export class JwtTokenService implements TokenService {
  private readonly secretKey: KeyObject;
  private readonly lifetimeSeconds: number;
  private readonly now: () => number;
  /**
   * Claims of tokens already verified, by the token's exact text: a client sends the same token
   * on every request of its lifetime, so the HMAC and the two JSON parses run once per token,
   * not once per request (docs/decisions.md "Tokens and sessions"). Only tokens that passed every
   * check get in, so traffic with forged tokens cannot fill it; expiry is checked on each use.
   */
  private readonly verified = new LRUCache<string, TokenClaims>({ max: VERIFIED_TOKENS });

  constructor(private readonly options: JwtTokenServiceOptions) {
    if (!options.secretKey) throw new RangeError('JwtTokenService needs a non-empty secretKey');
    if (!Number.isInteger(options.expireMinutes) || options.expireMinutes < 1) {
      throw new RangeError(`expireMinutes must be a positive integer, got ${options.expireMinutes}`);
    }
    // A KeyObject, not the string: given a string, jsonwebtoken 9 first tries to parse it as a
    // PEM public key on every call, which cost ~280 µs per verify (5 µs with the key object)
    // and was a third to a half of the CPU of an authenticated request. Tokens are identical.
    this.secretKey = createSecretKey(Buffer.from(options.secretKey, 'utf8'));
    this.lifetimeSeconds = options.expireMinutes * 60;
    this.now = options.now ?? Date.now;
  }

  /** A signed access token for the session, expiring after the lifetime or at `notAfter`, whichever is first. */
  issue({ userId, sessionId, jti = randomUUID(), notAfter }: AccessTokenRequest): IssuedToken {
    for (const [name, value] of [['userId', userId], ['sessionId', sessionId]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
    const iat = Math.floor(this.now() / 1000);
    const cap = notAfter ? Math.floor(notAfter.getTime() / 1000) : Number.POSITIVE_INFINITY;
    const exp = Math.max(iat, Math.min(iat + this.lifetimeSeconds, cap));
    const claims: TokenClaims = {
      sub: String(userId),
      sid: String(sessionId),
      jti,
      typ: ACCESS,
      iat,
      exp,
      ...(this.options.issuer ? { iss: this.options.issuer } : {}),
      ...(this.options.audience ? { aud: this.options.audience } : {}),
    };
    const token = jwt.sign(claims, this.secretKey, { algorithm: ALGORITHM });
    return { token, jti, expiresAt: new Date(exp * 1000), expiresIn: exp - iat };
  }

  /**
   * The claims of a valid access token.
   *
   * @throws AppError `authentication_error`: "Token has expired" for an expired token, "Could
   *   not validate credentials" for anything else (signature, algorithm, issuer, audience,
   *   `typ`, shape).
   */
  verify(token: string): TokenClaims {
    const known = this.verified.get(token);
    if (known) {
      if (Math.floor(this.now() / 1000) < known.exp) return known;
      this.verified.delete(token);
      throw authenticationError('Token has expired');
    }
    const claims = this.check(token);
    this.verified.set(token, claims);
    return claims;
  }

  private check(token: string): TokenClaims {
    const payload = verifyHs256(token, this.secretKey, {
      clockTimestamp: Math.floor(this.now() / 1000),
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
    });
    if (payload === 'expired') throw authenticationError('Token has expired');
    if (typeof payload === 'string') throw authenticationError();
    const { sub, sid, jti, typ, iat, exp, iss, aud } = payload;
    // Every token this service issues has all of these; anything else was not minted here, or
    // was minted for another purpose (`typ`), and is no bearer token.
    if (typ !== ACCESS) throw authenticationError();
    if (!isId(sub) || !isId(sid)) throw authenticationError();
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 255) throw authenticationError();
    if (typeof iat !== 'number' || typeof exp !== 'number') throw authenticationError();
    // Frozen: the same object answers every later request with this token.
    return Object.freeze({
      sub,
      sid,
      jti,
      typ,
      iat,
      exp,
      ...(typeof iss === 'string' ? { iss } : {}),
      ...(typeof aud === 'string' ? { aud } : {}),
    });
  }
}
