import type { HttpRequest } from './types';

/**
 * The value of cookie `name` in the request's `Cookie` header(s), or undefined. Values are
 * taken as sent (the core's own cookies never need decoding); a malformed pair is skipped.
 */
export function readCookie(headers: HttpRequest['headers'], name: string): string | undefined {
  const raw = headers['cookie'];
  const lines = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const index = pair.indexOf('=');
      if (index < 1 || pair.slice(0, index).trim() !== name) continue;
      const value = pair.slice(index + 1).trim().replace(/^"(.*)"$/, '$1');
      if (value !== '') return value;
    }
  }
  return undefined;
}

/** Attributes of a cookie the core sets. */
export interface CookieOptions {
  /** The only path the browser sends it to. */
  path: string;
  /** Lifetime in seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
}

/**
 * A `Set-Cookie` value that is always `HttpOnly; Secure; SameSite=Strict`: script cannot read
 * it, it never travels over plain HTTP, and no cross-site request carries it.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  return `${name}=${value}; Path=${options.path}; Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}; HttpOnly; Secure; SameSite=Strict`;
}
