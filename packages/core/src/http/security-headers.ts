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
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
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
