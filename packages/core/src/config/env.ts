import type { z } from 'zod';
import { ConfigError, coreOptionsSchema, type CoreOptions } from './options';

/** One environment variable the example server and the CLI read. */
export interface EnvVariable {
  /** The variable, e.g. `DATABASE_POOL_MAX`. */
  readonly name: string;
  /** The dotted `CoreOptions` path it sets (`database.poolMax`), or null when it is not a core option. */
  readonly option: string | null;
  /** The default, as documentation shows it; `unset` when absent means off. */
  readonly default: string;
  readonly description: string;
}

type Env = NodeJS.ProcessEnv;
type Kind = 'string' | 'secret' | 'url' | 'positiveInt' | 'nonNegativeInt' | 'positiveNumber' | 'port' | 'boolean' | 'environment';
type Spec = EnvVariable & { readonly kind: Kind };

const spec = (name: string, option: string | null, kind: Kind, fallback: string, description: string): Spec => ({
  name,
  option,
  kind,
  default: fallback,
  description,
});

const SPECS: readonly Spec[] = [
  spec('NODE_ENV', 'environment', 'environment', 'development', '`production`, `test` or `development`; production requires SECRET_KEY.'),
  spec('DATABASE_URL', 'database.url', 'url', 'sqlite:./data/app.sqlite', '`sqlite:<file>`, `sqlite::memory:` or `postgres://user:pass@host:5432/db`.'),
  spec('DATABASE_POOL_MAX', 'database.poolMax', 'positiveInt', '10', 'Most open database connections.'),
  spec('DATABASE_POOL_MIN', 'database.poolMin', 'nonNegativeInt', '0', 'Connections kept open while idle; at most DATABASE_POOL_MAX.'),
  spec('DATABASE_LOGGING', 'database.logging', 'boolean', 'false', 'Log every SQL statement.'),
  spec('DATABASE_TABLE_PREFIX', 'database.tablePrefix', 'string', 'unset', 'Prepended to every table and index name (`auth_` → `auth_users`), to live beside a host\'s own tables.'),
  spec('DATABASE_SCHEMA', 'database.schema', 'string', 'unset', 'PostgreSQL only: schema of every core table, created by the migrations when missing.'),
  spec('REDIS_URL', 'redis.url', 'url', 'unset', 'One Redis for cache and rate limiter; unset means in-memory for both.'),
  spec('CACHE_REDIS_URL', 'redis.cacheUrl', 'url', 'unset', 'Redis for the cache only; overrides REDIS_URL.'),
  spec('LIMITER_REDIS_URL', 'redis.limiterUrl', 'url', 'unset', 'Redis for the rate limiter only; overrides REDIS_URL.'),
  spec('REDIS_KEY_PREFIX', 'redis.keyPrefix', 'string', 'app:', 'Prefix of every Redis key, so several apps can share one Redis database.'),
  spec('SECRET_KEY', 'secretKey', 'secret', 'unset', 'HS256 signing key, at least 32 characters. Required in production; elsewhere a random key is generated with a warning.'),
  spec('ACCESS_TOKEN_EXPIRE_MINUTES', 'accessTokenExpireMinutes', 'positiveInt', '15', 'Lifetime of an access token (at most 1440); a new one comes from POST /auth/refresh.'),
  spec('TOKEN_ISSUER', 'tokens.issuer', 'string', 'unset', 'The `iss` claim of access tokens; when set, a token without it is refused.'),
  spec('TOKEN_AUDIENCE', 'tokens.audience', 'string', 'unset', 'The `aud` claim of access tokens; when set, a token without it is refused.'),
  spec('SESSION_IDLE_DAYS', 'sessions.idleDays', 'positiveNumber', '7', 'A session not used (no request, no refresh) for this many days ends (fractions allowed: 0.0209 ≈ 30 min); at most SESSION_MAX_DAYS.'),
  spec('SESSION_MAX_DAYS', 'sessions.maxDays', 'positiveNumber', '30', 'A session ends this many days after its login, however much it is used (fractions allowed: 0.5 = 12 h).'),
  spec('REFRESH_COOKIE', 'tokens.refreshCookie', 'boolean', 'false', 'Also set the refresh token as an HttpOnly, Secure, SameSite=Strict cookie scoped to POST /auth/refresh.'),
  spec('BCRYPT_ROUNDS', 'bcryptRounds', 'positiveInt', '12', 'bcrypt cost factor (4–31); each step doubles hashing time.'),
  spec('HASH_WORKERS', 'hashWorkers', 'positiveInt', 'number of CPU cores', 'Worker threads that hash passwords off the event loop.'),
  spec('HASH_ALGORITHM', 'hashAlgorithm', 'string', 'bcrypt', '`bcrypt` or `argon2id`: the algorithm of new password hashes. Stored hashes of either kind keep verifying.'),
  spec('ARGON2_MEMORY_KIB', 'argon2MemoryKib', 'positiveInt', '19456', 'Argon2id memory per hash in KiB (1024–1048576).'),
  spec('ARGON2_TIME_COST', 'argon2TimeCost', 'positiveInt', '2', 'Argon2id passes over that memory (1–100).'),
  spec('ARGON2_PARALLELISM', 'argon2Parallelism', 'positiveInt', '1', 'Argon2id lanes (1–16).'),
  spec('HASH_QUEUE_MAX_WAIT_MS', 'hashQueueMaxWaitMs', 'nonNegativeInt', '5000', 'When a new password hash would wait longer than this for a thread, login, register and bulk create answer 503 with Retry-After. A burst may wait this long; once the queue stands (its wait stayed above one hash plus one job start for 100 ms) the shorter wait applies until it halves.'),
  spec('REQUEST_TIMEOUT_MS', 'requestTimeoutMs', 'positiveInt', '30000', 'A request running longer gets 504 and its transaction is rolled back.'),
  spec('BODY_LIMIT_BYTES', 'bodyLimitBytes', 'positiveInt', '1048576', 'Largest accepted request body; larger gets 413.'),
  spec('BODY_READ_TIMEOUT_MS', 'bodyReadTimeoutMs', 'positiveInt', '10000', 'Most time a request body may take to arrive; a slower one gets 504 and the connection closes.'),
  spec('BULK_MAX', 'bulkMax', 'positiveInt', '100', 'Most users in one POST /users/bulk.'),
  spec('LIST_EXACT_COUNT_LIMIT', 'listExactCountLimit', 'nonNegativeInt', '10000', 'GET /users counts its total exactly up to this many matching users; beyond, on PostgreSQL, `total` is the planner\'s estimate and the page says `approximate: true`. 0 counts exactly always.'),
  spec('CACHE_ENABLED', 'cacheEnabled', 'boolean', 'true', 'Cache /auth/me, /users/:id and dashboard stats.'),
  spec('LIMITER_ENABLED', 'limiterEnabled', 'boolean', 'true', 'Apply the per-route rate limits and the login lockout.'),
  spec('RATE_LIMIT_IPV6_PREFIX', 'rateLimitIpv6Prefix', 'positiveInt', '64', 'Leading bits of an IPv6 client address that share one rate-limit bucket and lockout counter (1–128).'),
  spec('LOGIN_MAX_FAILURES', 'loginLockout.maxFailures', 'positiveInt', '5', 'Failed logins of one account from one client (IPv4 address or IPv6 group) within 15 min before that pair is delayed.'),
  spec('LOGIN_LOCKOUT_SECONDS', 'loginLockout.baseDelaySeconds', 'positiveInt', '30', 'First delay of an (account, client) pair; each further delay within 24 h doubles it.'),
  spec('LOGIN_LOCKOUT_MAX_SECONDS', 'loginLockout.maxDelaySeconds', 'positiveInt', '3600', 'Longest delay of a pair.'),
  spec('LOGIN_ACCOUNT_MAX_FAILURES', 'loginLockout.accountMaxFailures', 'positiveInt', '100', 'Failed logins of one account from all clients within LOGIN_ACCOUNT_WINDOW_SECONDS before it is held (clients it logged in from before stay exempt).'),
  spec('LOGIN_ACCOUNT_WINDOW_SECONDS', 'loginLockout.accountWindowSeconds', 'positiveInt', '86400', 'Window of LOGIN_ACCOUNT_MAX_FAILURES; a hold lasts until it ends.'),
  spec('LOGIN_KNOWN_IP_DAYS', 'loginLockout.knownIpDays', 'positiveInt', '90', 'How long a client an account logged in from stays exempt from a hold, counted from the latest success.'),
  spec('PASSWORD_MIN_LENGTH', 'passwordMinLength', 'positiveInt', '8', 'Shortest new password in characters (8–128); the longest is 128.'),
  spec('EMAIL_VERIFICATION', 'emailVerification', 'string', 'optional', '`off` (no verification mails), `optional` (sent, not enforced) or `required` (login of an unverified account is 403 email_not_verified).'),
  spec('SMTP_URL', 'mail.smtpUrl', 'url', 'unset', 'SMTP server, `smtp://user:pass@host:587` or `smtps://…`; unset means the development mailer, which logs each message.'),
  spec('MAIL_FROM', 'mail.from', 'string', 'no-reply@localhost', 'Sender of every mail: `noreply@example.com` or `Example <noreply@example.com>`.'),
  spec('PASSWORD_RESET_URL', 'mail.links.passwordReset', 'string', 'http://localhost:8000/reset-password?token={token}', 'Link of the password-reset mail; `{token}` is replaced by the token.'),
  spec('EMAIL_VERIFICATION_URL', 'mail.links.emailVerification', 'string', 'http://localhost:8000/verify-email?token={token}', 'Link of the verification mail; `{token}` is replaced by the token.'),
  spec('AUDIT_RETENTION_DAYS', 'audit.retentionDays', 'positiveInt', '365', 'Audit events older than this many days are deleted by `app-core audit purge` (and the purge timer).'),
  spec('AUDIT_PURGE_INTERVAL_MINUTES', 'audit.purgeIntervalMinutes', 'positiveInt', 'unset', 'Also purge old audit events inside the server every this many minutes; unset leaves it to the CLI.'),
  spec('AUDIT_LOCKOUT_SAMPLE_SECONDS', 'audit.lockoutSampleSeconds', 'nonNegativeInt', '60', 'At most one `login.locked` audit row per (account, client) per this many seconds; 0 records every refusal.'),
  spec('APP_NAME', 'appName', 'string', 'Backend API', 'Name shown by /health and the OpenAPI document.'),
  spec('APP_VERSION', 'appVersion', 'string', '@app/core version', 'Version shown by /health and the OpenAPI document.'),
  spec('API_PREFIX', 'apiPrefix', 'string', '/api/v1', 'Prefix of the API routes; /health stays outside it.'),
  spec('METRICS_TOKEN', 'metricsToken', 'secret', 'unset', 'When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters); unset, only superusers.'),
  spec('METRICS_PATH', 'metricsPath', 'string', '/metrics', 'Path of the Prometheus exposition, outside API_PREFIX.'),
  spec('FIRST_SUPERUSER_EMAIL', 'firstSuperuser.email', 'string', 'unset', 'With the next two, a superuser created (or promoted) at start.'),
  spec('FIRST_SUPERUSER_USERNAME', 'firstSuperuser.username', 'string', 'unset', 'Username of the first superuser; set all three or none.'),
  spec('FIRST_SUPERUSER_PASSWORD', 'firstSuperuser.password', 'secret', 'unset', 'Password of the first superuser; set all three or none.'),
  spec('SESSION_PURGE_INTERVAL_MINUTES', 'sessionPurgeIntervalMinutes', 'nonNegativeInt', '60', 'Delete expired and revoked sessions this often; 0 turns the timer off.'),
  spec('PORT', null, 'port', '8000', 'HTTP port of the example server (0 picks a free one).'),
];

/**
 * Every environment variable `loadConfigFromEnv` and `readPort` read, with the option it sets,
 * its default and a description. The configuration reference is generated from this table.
 */
export const ENV_VARIABLES: readonly EnvVariable[] = SPECS.map(({ kind: _kind, ...variable }) => Object.freeze(variable));

const BY_OPTION = new Map(SPECS.filter((s) => s.option).map((s) => [s.option as string, s]));
const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));
const FIRST_SUPERUSER = ['FIRST_SUPERUSER_EMAIL', 'FIRST_SUPERUSER_USERNAME', 'FIRST_SUPERUSER_PASSWORD'];

/** How a value is quoted in an error: secrets never, URL passwords masked. */
function shown(s: Spec, raw: string): string {
  if (s.kind === 'secret') return `${raw.length} characters`;
  if (s.kind === 'url') return `'${raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}'`;
  return `'${raw}'`;
}

function fail(s: Spec, raw: string, expectation: string): never {
  throw new ConfigError(`${s.name} ${expectation}, got ${shown(s, raw)}`);
}

function parse(s: Spec, raw: string): unknown {
  const text = raw.trim();
  switch (s.kind) {
    case 'positiveInt':
    case 'nonNegativeInt': {
      const value = /^\+?\d+$/.test(text) ? Number(text) : NaN;
      const min = s.kind === 'positiveInt' ? 1 : 0;
      if (!Number.isSafeInteger(value) || value < min) fail(s, raw, `must be a ${min ? 'positive' : 'non-negative'} integer`);
      return value;
    }
    case 'positiveNumber': {
      const value = /^\+?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
      if (!(value > 0) || !Number.isFinite(value)) fail(s, raw, 'must be a positive number');
      return value;
    }
    case 'port': {
      const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
      if (!(value <= 65535)) fail(s, raw, 'must be an integer from 0 to 65535');
      return value;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off'].includes(lower)) return false;
      return fail(s, raw, 'must be true or false');
    }
    case 'environment':
      if (text === 'production' || text === 'test' || text === 'development') return text;
      return fail(s, raw, 'must be production, test or development');
    case 'url':
    case 'string':
      return text;
    case 'secret':
      return raw; // whitespace may be part of a secret
  }
}

/** The variable's parsed value, or undefined when it is unset or empty. */
function read(env: Env, name: string): unknown {
  const s = BY_NAME.get(name) as Spec;
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return parse(s, raw);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

/** The schema's bound complaints in plain words; other messages as they are. */
function describe(issue: z.core.$ZodIssue): string {
  const unit = 'origin' in issue && issue.origin === 'string' ? ' characters' : '';
  if (issue.code === 'too_small') return `must be at least ${issue.minimum}${unit}`;
  if (issue.code === 'too_big') return `must be at most ${issue.maximum}${unit}`;
  return issue.message;
}

/** Re-words the schema's complaint about an option in terms of the variable that set it. */
function reword(issue: z.core.$ZodIssue, env: Env): string {
  const path = issue.path.join('.');
  const s = BY_OPTION.get(path);
  const text = describe(issue).replace(/\b[a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+\b/g, (word) => BY_OPTION.get(word)?.name ?? word);
  if (!s) return `Invalid option ${path || '(root)'}: ${text}`;
  const raw = env[s.name];
  const got = raw === undefined || raw.trim() === '' ? '' : `, got ${shown(s, raw)}`;
  return /^(must|is|should) /.test(text) ? `${s.name} ${text}${got}` : `${s.name} is invalid: ${text}${got}`;
}

/**
 * Reads the core's options from environment variables (see {@link ENV_VARIABLES}). Unset or
 * empty variables keep the option's default. Nothing is opened or logged.
 *
 * @throws ConfigError naming the variable, e.g. `DATABASE_POOL_MAX must be a positive integer, got 'abc'`.
 * @example
 * const core = await createCore(loadConfigFromEnv());
 */
export function loadConfigFromEnv(env: Env = process.env): CoreOptions {
  const options: Record<string, unknown> = {};
  for (const s of SPECS) {
    if (!s.option || s.option.startsWith('firstSuperuser.')) continue;
    const value = read(env, s.name);
    if (value !== undefined) setPath(options, s.option, value);
  }

  const superuser = FIRST_SUPERUSER.map((name) => read(env, name));
  const missing = FIRST_SUPERUSER.filter((_, i) => superuser[i] === undefined);
  if (missing.length > 0 && missing.length < FIRST_SUPERUSER.length) {
    throw new ConfigError(`${FIRST_SUPERUSER.join(', ')} must be set together; missing ${missing.join(', ')}`);
  }
  if (missing.length === 0) {
    const [email, username, password] = superuser as string[];
    options.firstSuperuser = { email, username, password };
  }

  if (options.environment === 'production' && options.secretKey === undefined) {
    throw new ConfigError('SECRET_KEY is required in production (at least 32 characters)');
  }

  const parsed = coreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => reword(issue, env)).join('; '));
  }
  return options as CoreOptions;
}

/**
 * The HTTP port from `PORT` (default 8000). Not a core option: the host opens the socket.
 *
 * @throws ConfigError naming PORT when it is not an integer from 0 to 65535.
 */
export function readPort(env: Env = process.env): number {
  return (read(env, 'PORT') as number | undefined) ?? 8000;
}
