/** What a route may set instead of the defaults, on its successful responses (the admin pages and their assets). */
export interface SecurityHeaderOverrides {
  /** Replaces `default-src 'none'; frame-ancestors 'none'`. */
  contentSecurityPolicy?: string;
  /** Replaces `no-store`. */
  cacheControl?: string;
}

/** What decides the security headers of one response. */
export interface SecurityHeaderOptions extends SecurityHeaderOverrides {
  /** The request came over TLS: add HSTS (never over plain HTTP, where it is ignored). */
  https: boolean;
}

/**
 * The headers sent on every response (docs/reference/routes.md), errors and 404s included. `Cache-Control:
 * no-store` goes on every response, not only authenticated ones: tokens (login), health and
 * error bodies must not be stored by shared caches either.
 */
export function securityHeaders(options: SecurityHeaderOptions): Readonly<Record<string, string>> {
  if (options.contentSecurityPolicy === undefined && options.cacheControl === undefined) return options.https ? HTTPS_DEFAULTS : HTTP_DEFAULTS;
  return buildHeaders(options);
}

function buildHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': options.contentSecurityPolicy ?? "default-src 'none'; frame-ancestors 'none'",
    'Cache-Control': options.cacheControl ?? 'no-store',
  };
  if (options.https) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

// The headers of almost every response, built once (callers copy them, never change them).
const HTTP_DEFAULTS = Object.freeze(buildHeaders({ https: false }));
const HTTPS_DEFAULTS = Object.freeze(buildHeaders({ https: true }));
