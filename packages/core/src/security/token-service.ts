/** The claims of an access token (HS256). */
export interface TokenClaims {
  /** The user id as a string. */
  sub: string;
  /** Unique token id; the session row holds it. */
  jti: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
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
  /** A fresh token for the user with a new random jti; two calls never share a jti. */
  issue(userId: number): IssuedToken;
  /**
   * The claims of a valid token; throws `AppError('authentication_error')` when the
   * signature, algorithm, expiry or claim shapes are wrong.
   */
  verify(token: string): TokenClaims;
}

export const TOKEN_SERVICE = Symbol.for('app.TokenService');
