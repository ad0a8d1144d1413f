import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** A refresh token taken apart; nothing in it is trusted before {@link RefreshTokenCodec.isAuthentic}. */
export interface RefreshTokenParts {
  sessionId: number;
  /** How many rotations the session had when this token was minted (0 for the login's). */
  generation: number;
  /** The 256 random bits, base64url: the only part that is a secret, stored only as its hash. */
  secret: string;
  mac: string;
}

/** What {@link RefreshTokenCodec.encode} binds together. */
export interface RefreshTokenFields {
  sessionId: number;
  generation: number;
  /** A per-session value from the row (its jti), so a token never fits a session of another database. */
  familyId: string;
  secret: string;
}

const FORMAT = /^([1-9]\d{0,9})\.(0|[1-9]\d{0,9})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
// Both are INTEGER columns: a larger number is no token of ours, and must not reach the database.
const INT4_MAX = 2_147_483_647;

/**
 * Refresh tokens (docs/guides/security.md "Tokens and sessions"): `<sid>.<generation>.<secret>.<mac>`,
 * opaque to clients. The secret is 32 random bytes and the database stores only its SHA-256
 * (a fast hash is right for a high-entropy secret: there is nothing to brute-force, unlike a
 * password). The MAC (HMAC-SHA256 under a key derived from `SECRET_KEY`) makes the session id
 * and generation unforgeable, so a presented token of an *earlier* generation is proof that a
 * spent token of this family was replayed, however many rotations ago, and nobody can end
 * another user's session by inventing one.
 *
 * @example
 * const codec = new RefreshTokenCodec(secretKey);
 * const { secret, hash } = RefreshTokenCodec.createSecret(); // store `hash`
 * const token = codec.encode({ sessionId: 7, generation: 0, familyId: session.jti, secret });
 */
export class RefreshTokenCodec {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (!secretKey) throw new RangeError('RefreshTokenCodec needs a non-empty secretKey');
    // A key of its own, so the JWT signing key never MACs anything else.
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'app refresh token v1', 32));
  }

  /** A new secret (256 random bits) and the hash under which it is stored. */
  static createSecret(): { secret: string; hash: string } {
    const secret = randomBytes(32).toString('base64url');
    return { secret, hash: RefreshTokenCodec.hash(secret) };
  }

  /** SHA-256 of a secret, hex: the stored form. */
  static hash(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
  }

  /** The token a client holds. */
  encode(fields: RefreshTokenFields): string {
    return `${fields.sessionId}.${fields.generation}.${fields.secret}.${this.mac(fields)}`;
  }

  /** The parts of a well-formed token, or null; says nothing about authenticity. */
  decode(token: unknown): RefreshTokenParts | null {
    if (typeof token !== 'string') return null;
    const match = FORMAT.exec(token);
    if (!match) return null;
    const sessionId = Number(match[1]);
    const generation = Number(match[2]);
    if (sessionId > INT4_MAX || generation > INT4_MAX) return null;
    return { sessionId, generation, secret: match[3]!, mac: match[4]! };
  }

  /** True when this codec minted `parts` for the session whose family id is `familyId`. */
  isAuthentic(parts: RefreshTokenParts, familyId: string): boolean {
    const expected = Buffer.from(this.mac({ ...parts, familyId }), 'utf8');
    const given = Buffer.from(parts.mac, 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac({ sessionId, generation, familyId, secret }: RefreshTokenFields): string {
    return createHmac('sha256', this.key).update(`${sessionId}:${generation}:${familyId}:${secret}`).digest('base64url');
  }
}

export const REFRESH_TOKEN_CODEC = Symbol.for('app.RefreshTokenCodec');
