import { isIP } from 'node:net';
import type { AuditDetailValue, AuditDetails } from './audit-event';

/**
 * The one gate every audit row's `details` passes (docs/decisions.md "Audit trail"): nothing
 * secret may reach the table, whatever a rule maps. Three layers:
 *
 * 1. only the keys its event type declares survive (the whitelist of `audit-rules.ts`);
 * 2. a key that names a secret (password, hash, token, secret, jti, cookie, …) is dropped at
 *    any depth, even if a rule declared it by mistake;
 * 3. a string value shaped like a password hash (bcrypt, argon2, scrypt) or a JWT is dropped.
 *
 * Values are JSON only (Dates become ISO strings), strings are capped at
 * {@link MAX_DETAIL_STRING} characters, arrays at {@link MAX_DETAIL_ITEMS} items, nesting at
 * three levels. What is dropped is reported by key name only, never by value.
 */

const SECRET_KEY = /pass(word|wd|phrase)?|hash|token|secret|jti|cookie|authori[sz]ation|credential|otp|private/i;
const SECRET_VALUE = [/^\$2[abxy]?\$\d\d\$/, /^\$argon2/i, /^\$scrypt/i, /^eyJ[\w-]*\.[\w-]*\./];

/** Longest string kept in `details`; longer ones are cut. */
export const MAX_DETAIL_STRING = 256;
/** Most items kept in one `details` array. */
export const MAX_DETAIL_ITEMS = 1000;
const MAX_DEPTH = 3;
const MAX_KEYS = 50;

/** What {@link sanitizeDetails} kept, and the dotted key paths it dropped. */
export interface SanitizedDetails {
  details: AuditDetails;
  dropped: string[];
}

/**
 * Keeps the `allowed` keys of `details`, minus anything that could be a secret (see above).
 *
 * @example
 * sanitizeDetails(['changed'], { changed: ['password'], password: 'x' });
 * // { details: { changed: ['password'] }, dropped: ['password'] }
 */
export function sanitizeDetails(allowed: readonly string[], details: Record<string, unknown>): SanitizedDetails {
  const dropped: string[] = [];
  const kept: AuditDetails = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    if (!allowed.includes(key) || SECRET_KEY.test(key)) {
      dropped.push(key);
      continue;
    }
    const clean = cleanValue(value, key, 1, dropped);
    if (clean !== undefined) kept[key] = clean;
  }
  return { details: kept, dropped };
}

function cleanValue(value: unknown, path: string, depth: number, dropped: string[]): AuditDetailValue | undefined {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string') {
    if (SECRET_VALUE.some((pattern) => pattern.test(value))) return drop(path, dropped);
    return value.length > MAX_DETAIL_STRING ? `${value.slice(0, MAX_DETAIL_STRING - 1)}…` : value;
  }
  if (depth > MAX_DEPTH) return drop(path, dropped);
  if (Array.isArray(value)) {
    return value
      .slice(0, MAX_DETAIL_ITEMS)
      .map((item, index) => cleanValue(item, `${path}.${index}`, depth + 1, dropped))
      .filter((item): item is AuditDetailValue => item !== undefined);
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, AuditDetailValue> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS)) {
      if (SECRET_KEY.test(key)) {
        dropped.push(`${path}.${key}`);
        continue;
      }
      const clean = cleanValue(item, `${path}.${key}`, depth + 1, dropped);
      if (clean !== undefined) out[key] = clean;
    }
    return out;
  }
  // Functions, symbols, bigints, class instances (a model, an Error): never JSON we trust.
  return drop(path, dropped);
}

function drop(path: string, dropped: string[]): undefined {
  dropped.push(path);
  return undefined;
}

/**
 * The client IP as the table stores it, or null. Behind `trust proxy` the address comes from
 * a header the client controls: anything that is not an IPv4/IPv6 address is dropped.
 */
export function storableIp(ip: string | null | undefined): string | null {
  return ip && ip.length <= 45 && isIP(ip) !== 0 ? ip : null;
}

/** Longest user agent stored; real ones are far shorter, a forged one is cut. */
export const MAX_USER_AGENT = 512;

/** The user agent as stored: null when absent, cut at {@link MAX_USER_AGENT} characters, no NUL. */
export function storableUserAgent(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  // PostgreSQL cannot store U+0000 in text.
  return userAgent.replace(/\u0000/g, '').slice(0, MAX_USER_AGENT) || null;
}

/** The request id as stored: the pipeline's ids are 1–128 safe characters; a worker's is checked too. */
export function storableRequestId(requestId: string | null | undefined): string | null {
  return requestId && /^[A-Za-z0-9._:-]{1,128}$/.test(requestId) ? requestId : null;
}
