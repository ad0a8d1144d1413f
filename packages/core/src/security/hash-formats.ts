import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** Argon2id parameters: memory in KiB, passes, lanes. */
export interface Argon2Params {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

/** What new hashes are made with; both parameter sets are known so either kind can be bounded. */
export interface HashParams {
  algorithm: 'bcrypt' | 'argon2id';
  bcryptRounds: number;
  argon2: Argon2Params;
}

/** A stored hash, recognised by its prefix. */
export type ParsedHash =
  | { kind: 'bcrypt'; ident: '2a' | '2b' | '2y'; rounds: number }
  | { kind: 'bcrypt-sha256'; rounds: number; salt: string; bcryptHash: string }
  | { kind: 'argon2'; variant: 'argon2id' | 'argon2i' | 'argon2d'; version: number; params: Argon2Params };

// Stored hashes from elsewhere are accepted up to these costs, or the configured one when it
// is higher, so an absurd cost in an imported row cannot hold a thread for hours: bcrypt 15 is
// 8 × a cost-12 verify; argon2 256 MiB × 10 passes is well under a second per lane.
const MAX_FOREIGN_BCRYPT_ROUNDS = 15;
const MAX_FOREIGN_ARGON2: Argon2Params = { memoryKib: 262_144, timeCost: 10, parallelism: 16 };

// bcrypt reads at most 72 bytes, and C implementations stop at a NUL byte.
const BCRYPT_MAX_BYTES = 72;
const BCRYPT = /^\$(2[aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;
// passlib's `bcrypt_sha256` v2: bcrypt over base64(HMAC-SHA-256(key = salt, password)).
const BCRYPT_SHA256 = /^\$bcrypt-sha256\$v=2,t=2b,r=(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;
const ARGON2 = /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{6,}$/;
const BCRYPT64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The hash's kind and parameters, or null when it is none we can verify. */
export function parseHash(hash: string): ParsedHash | null {
  let m = BCRYPT.exec(hash);
  if (m) return { kind: 'bcrypt', ident: m[1] as '2a' | '2b' | '2y', rounds: Number(m[2]) };
  m = BCRYPT_SHA256.exec(hash);
  if (m) return { kind: 'bcrypt-sha256', rounds: Number(m[1]), salt: m[2], bcryptHash: `$2b$${m[1].padStart(2, '0')}$${m[2]}${m[3]}` };
  m = ARGON2.exec(hash);
  if (m) {
    const params = { memoryKib: Number(m[3]), timeCost: Number(m[4]), parallelism: Number(m[5]) };
    return { kind: 'argon2', variant: m[1] as 'argon2id', version: m[2] === undefined ? 16 : Number(m[2]), params };
  }
  return null;
}

/** True when verifying `parsed` costs no more than the bounds allow (see above). */
export function withinCostBounds(parsed: ParsedHash, params: HashParams): boolean {
  if (parsed.kind !== 'argon2') {
    return parsed.rounds >= 4 && parsed.rounds <= Math.max(MAX_FOREIGN_BCRYPT_ROUNDS, params.bcryptRounds);
  }
  const p = parsed.params;
  return (
    p.memoryKib <= Math.max(MAX_FOREIGN_ARGON2.memoryKib, params.argon2.memoryKib) &&
    p.timeCost <= Math.max(MAX_FOREIGN_ARGON2.timeCost, params.argon2.timeCost) &&
    p.parallelism <= Math.max(MAX_FOREIGN_ARGON2.parallelism, params.argon2.parallelism)
  );
}

/** False only for a hash of exactly the kind and parameters new hashes are made with. */
export function needsRehash(hash: string, params: HashParams): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return true;
  if (params.algorithm === 'bcrypt') {
    const current = parsed.kind === 'bcrypt-sha256' || (parsed.kind === 'bcrypt' && parsed.ident === '2b');
    return !(current && parsed.rounds === params.bcryptRounds);
  }
  if (parsed.kind !== 'argon2' || parsed.variant !== 'argon2id' || parsed.version !== 19) return true;
  const { memoryKib, timeCost, parallelism } = params.argon2;
  return parsed.params.memoryKib !== memoryKib || parsed.params.timeCost !== timeCost || parsed.params.parallelism !== parallelism;
}

/** True when plain bcrypt would not see the whole password, so it must be pre-hashed. */
export function needsPrehash(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES || password.includes('\u0000');
}

/** The 44-character key `bcrypt-sha256` hands to bcrypt: it has no NUL and fits in 72 bytes. */
export function prehash(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}

/** A fresh bcrypt salt string, `$2b$<rounds>$` and 22 characters. */
export function bcryptSalt(rounds: number): string {
  return bcrypt.genSaltSync(rounds);
}

/** `$2b$04$<salt><digest>` as `$bcrypt-sha256$v=2,t=2b,r=4$<salt>$<digest>` (passlib writes no leading zero). */
export function toBcryptSha256(bcryptHash: string): string {
  const rounds = Number(bcryptHash.slice(4, 6));
  return `$bcrypt-sha256$v=2,t=2b,r=${rounds}$${bcryptHash.slice(7, 29)}$${bcryptHash.slice(29)}`;
}

/**
 * A well-formed hash at the configured parameters whose digest is random: verifying any
 * password against it costs exactly a real verification and (but for a 2^-184 chance) fails.
 */
export function dummyHash(params: HashParams): string {
  if (params.algorithm === 'bcrypt') {
    const digest = [...randomBytes(31)].map((byte) => BCRYPT64[byte % 64]).join('');
    return bcryptSalt(params.bcryptRounds) + digest;
  }
  const { memoryKib, timeCost, parallelism } = params.argon2;
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${memoryKib},t=${timeCost},p=${parallelism}$${b64(16)}$${b64(32)}`;
}
