/**
 * The claims of an access token (HS256), as `verify` returns them
 * (docs/guides/security.md "Tokens and sessions").
 */
export interface TokenClaims {
  /** The user id as a string. */
  sub: string;
  /** The session (refresh family) id as a string: the row every request checks. */
  sid: string;
  /** Unique per token. */
  jti: string;
  /** Always `access`: anything else is refused as a bearer token. */
  typ: 'access';
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Present when an issuer is configured. */
  iss?: string;
  /** Present when an audience is configured. */
  aud?: string;
}

/** What an access token is issued for. */
export interface AccessTokenRequest {
  userId: number;
  sessionId: number;
  /** The jti to use instead of a fresh random one (a session's first token carries the session's jti). */
  jti?: string;
  /** The token never outlives this instant (the session's absolute end). */
  notAfter?: Date;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
  /** Lifetime in seconds. */
  expiresIn: number;
}

/** Issues and verifies access tokens. */
export interface TokenService {
  /** A fresh access token for the user's session; two calls never share a jti unless one is given. */
  issue(request: AccessTokenRequest): IssuedToken;
  /**
   * The claims of a valid access token; throws `AppError('authentication_error')` when the
   * signature, algorithm, expiry, issuer, audience, `typ` or claim shapes are wrong. The
   * claims are read-only: an implementation may answer repeated calls with one shared object.
   */
  verify(token: string): TokenClaims;
}

export const TOKEN_SERVICE = Symbol.for('app.TokenService');
