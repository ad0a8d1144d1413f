/**
 * The admin page's one way to the API: bearer token kept in memory only (never Web Storage),
 * refreshed with the refresh token when the login gave one (docs/reference/routes.md), and
 * every error turned into an {@link ApiError} carrying the envelope.
 */

/** One item of the error envelope's `details`. */
export interface ErrorDetail {
  type?: string;
  message: string;
  field?: string;
}

/** A failed call: the HTTP status and the error envelope (docs/reference/errors.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages by field for one body level: `body.email` → `email` (`prefix` `body.3` for bulk item 3). */
  fieldErrors(prefix = 'body'): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const detail of this.details) {
      if (!detail.field?.startsWith(`${prefix}.`)) continue;
      const field = detail.field.slice(prefix.length + 1);
      errors[field] = errors[field] ? `${errors[field]}; ${detail.message}` : detail.message;
    }
    return errors;
  }
}

/** What a sign-in stores: in memory only. */
interface Tokens {
  access: string;
  refresh?: string;
}

/** The `Token` body of login and refresh. */
interface TokenBody {
  access_token: string;
  refresh_token?: string;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one call. */
export interface CallOptions {
  query?: Query;
  body?: unknown;
  /** Return the raw Response (downloads) instead of parsed JSON. */
  raw?: boolean;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

async function toError(response: Response): Promise<ApiError> {
  const envelope = (await response.json().catch(() => undefined)) as
    | { error?: string; message?: string; details?: ErrorDetail[]; request_id?: string }
    | undefined;
  return new ApiError(
    response.status,
    envelope?.error ?? 'http_error',
    envelope?.message ?? `The server answered ${response.status}`,
    Array.isArray(envelope?.details) ? envelope.details : [],
    envelope?.request_id,
  );
}

/** A 401 that refused the access token (expired, revoked, forged), as opposed to a 401 of the call itself. */
function refusedToken(response: Response): boolean {
  return response.status === 401 && /\berror="invalid_token"/.test(response.headers.get('WWW-Authenticate') ?? '');
}

/** Builds `base + path?query`, leaving out empty values. */
export function apiUrl(base: string, path: string, query: Query = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return `${base}${path}${text ? `?${text}` : ''}`;
}

/** The API client of one page; `onSignedOut` is told when a session ends that the page did not end itself. */
export class ApiClient {
  private tokens: Tokens | undefined;
  /** One refresh at a time: a refresh token is single use, so parallel 401s share the one rotation. */
  private refreshing: Promise<boolean> | undefined;
  onSignedOut: (message: string) => void = () => {};

  constructor(
    readonly base: string,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** Signs in with a username or email; the caller decides what a non-superuser may do. */
  async login(username: string, password: string): Promise<void> {
    const token = await this.call<TokenBody>('POST', '/auth/login', { body: { username, password } }, false);
    this.tokens = { access: token.access_token, refresh: token.refresh_token };
  }

  /** Ends the session on the server (best effort) and forgets the tokens. */
  async logout(): Promise<void> {
    if (!this.tokens) return;
    try {
      await this.call('POST', '/auth/logout', {}, false);
    } catch {
      // The session may already be over; the page forgets its tokens either way.
    } finally {
      this.tokens = undefined;
    }
  }

  /**
   * Calls the API with the bearer token, refreshing once when the server refused the access
   * token itself (`WWW-Authenticate: Bearer error="invalid_token"`, docs/reference/errors.md)
   * and a refresh token exists. Any other 401, a wrong current password, is the call's answer.
   */
  async request<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>(method, path, options, true);
  }

  private async call<T>(method: string, path: string, options: CallOptions, retry: boolean): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.tokens) headers.Authorization = `Bearer ${this.tokens.access}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const sentWith = this.tokens?.access;
    const response = await this.fetchImpl(apiUrl(this.base, path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
    });
    if (retry && sentWith !== undefined && refusedToken(response)) {
      if (await this.refresh(sentWith)) return this.call<T>(method, path, options, false);
      this.tokens = undefined;
      this.onSignedOut('Your session has ended. Sign in again.');
    }
    if (!response.ok) throw await toError(response);
    if (options.raw) return response as T;
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** True when a fresh access token is in place (another call may already have rotated it). */
  private async refresh(staleAccess: string): Promise<boolean> {
    if (this.tokens && this.tokens.access !== staleAccess) return true;
    const refreshToken = this.tokens?.refresh;
    if (!refreshToken) return false;
    this.refreshing ??= (async () => {
      try {
        const response = await this.fetchImpl(apiUrl(this.base, '/auth/refresh'), {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: refreshToken }),
          credentials: 'same-origin',
        });
        if (!response.ok) return false;
        const token = (await response.json()) as TokenBody;
        this.tokens = { access: token.access_token, refresh: token.refresh_token ?? refreshToken };
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
