import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Cache } from '../cache/cache';
import { isClock, type Clock } from '../clock/clock';
import type { UserFieldDefinition, UserFieldDefinitions } from '../domain/user-fields';
import type { CoreHooks } from '../events/core-events';
import { createConsoleLogger, isLogger, type Logger } from '../logger/logger';
import { isMailer, type Mailer } from '../mail/mailer';
import type { MailTemplateOverrides } from '../mail/mail-templates';
import { PASSWORD_MIN_LENGTH } from '../schemas/fields';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import type { PasswordHasher } from '../security/password-hasher';
import type { Route } from '../http/route';
import type { Migration } from '../database/migrations/migration';
import { VERSION } from '../version';

const instance = <T>(check: (value: unknown) => boolean, message: string) => z.custom<T>(check, { message });
const hasMethods =
  (...methods: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
const isPlainObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const routePath = /^(\/[A-Za-z0-9._~-]+)+$/;

/** A route built with `defineRoute`: checked for its shape here, for clashes when the table is built. */
const hostRoute = z.custom<Route>(
  (value) => {
    const route = value as Partial<Route> | null;
    return (
      typeof route === 'object' &&
      route !== null &&
      typeof route.id === 'string' &&
      route.id !== '' &&
      ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(route.method as string) &&
      typeof route.path === 'string' &&
      /^(\/(:?[A-Za-z0-9._~-]+))+$/.test(route.path) &&
      ['none', 'user', 'superuser'].includes(route.auth as string) &&
      typeof route.handler === 'function' &&
      typeof route.schemas?.successStatus === 'number'
    );
  },
  { message: 'must be a route built with defineRoute (id, method, a path like /widgets/:id, auth, schemas, handler)' },
);

const rateLimitRule = z.object({ limit: z.number().int().min(1), windowMs: z.number().int().min(1) }).strict();

const databaseUrl = z
  .string()
  .refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), 'must start with sqlite: or postgres://');
const migration = z.custom<Migration>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).name === 'string' &&
    ['up', 'down'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
  { message: 'must be a migration { name, up, down }' },
);

// At least a minute: last_used_at, which moves the idle deadline, is written once a minute.
const sessionDays = z
  .number()
  .max(3650)
  .refine((days) => days >= 1 / 1440, 'must be at least one minute (0.0007 days)');

/** A mail link: an http(s) URL holding `{token}`, where the token goes. */
const linkTemplate = z
  .string()
  .refine((url) => /^https?:\/\/[^\s]+$/.test(url) && url.includes('{token}'), 'must be an http(s) URL containing {token}');
/** `smtp://user:pass@host:587` or `smtps://…`. */
const smtpUrl = z.string().refine((url) => {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'smtp:' || parsed.protocol === 'smtps:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}, 'must look like smtp://user:pass@host:587 (or smtps://)');
/** `noreply@example.com` or `Example <noreply@example.com>`. */
const mailFrom = z
  .string()
  .regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an address, or a name and <address>');

const redisUrl = z.string().refine((url) => /^rediss?:\/\//.test(url), 'must start with redis:// or rediss://');

/**
 * The options of {@link createCore}, validated with zod. Every field has a default except
 * `secretKey` in production. Environment variables map onto these in `loadConfigFromEnv`.
 */
export const coreOptionsSchema = z
  .object({
    environment: z.enum(['development', 'test', 'production']).default('development'),
    database: z
      .object({
        /** `sqlite:./data/app.sqlite`, `sqlite::memory:` or `postgres://…`. */
        url: databaseUrl.default('sqlite:./data/app.sqlite'),
        poolMax: z.number().int().min(1).max(1000).default(10),
        poolMin: z.number().int().min(0).default(0),
        /** Log every SQL statement through the logger's info method. */
        logging: z.boolean().default(false),
        /** Prepended to every table and index name (`auth_` → `auth_users`), to live beside a host's tables. */
        tablePrefix: z
          .string()
          .regex(/^([a-z][a-z0-9_]{0,23})?$/, 'must be lower-case letters, digits and _, start with a letter, at most 24 characters')
          .default(''),
        /** PostgreSQL only: the schema of every core table, created by the migrations when missing. */
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _, at most 63 characters')
          .refine((name) => !name.startsWith('pg_'), 'must not start with pg_ (reserved by PostgreSQL)')
          .optional(),
      })
      .prefault({}),
    redis: z
      .object({
        /** One Redis for cache and limiter; unset means in-memory for both. */
        url: redisUrl.optional(),
        cacheUrl: redisUrl.optional(),
        limiterUrl: redisUrl.optional(),
        /** Prefix of every key this core writes, so cores can share one Redis database. */
        keyPrefix: z.string().default('app:'),
      })
      .prefault({}),
    /** HS256 signing key, at least 32 characters; generated in development when absent. */
    secretKey: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Lifetime of an access token (docs/reference/configuration.md); a token never outlives its session. */
    accessTokenExpireMinutes: z.number().int().min(1).max(1440).default(15),
    /** Access-token claims and the refresh transport (docs/guides/security.md "Tokens and sessions"). */
    tokens: z
      .object({
        /** `iss` of every access token, required on verification when set. */
        issuer: z.string().min(1).optional(),
        /** `aud` of every access token, required on verification when set. */
        audience: z.string().min(1).optional(),
        /** Also send the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to the refresh path. */
        refreshCookie: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * Session (refresh family) lifetimes in days, fractions allowed (0.5 = 12 h): ended after
     * `idleDays` unused, and `maxDays` after login whatever happens.
     */
    sessions: z
      .object({
        idleDays: sessionDays.default(7),
        maxDays: sessionDays.default(30),
      })
      .strict()
      .prefault({}),
    bcryptRounds: z.number().int().min(4).max(31).default(12),
    /** Hashing worker threads; defaults to the number of cores. */
    hashWorkers: z.number().int().min(1).max(64).optional(),
    /** Algorithm of new password hashes; stored bcrypt and Argon2id hashes verify either way. */
    hashAlgorithm: z.enum(['bcrypt', 'argon2id'], { message: 'must be bcrypt or argon2id' }).default('bcrypt'),
    /** Argon2id memory per hash in KiB (the default is OWASP's minimum, 19 MiB). */
    argon2MemoryKib: z.number().int().min(1024).max(1_048_576).default(19_456),
    argon2TimeCost: z.number().int().min(1).max(100).default(2),
    argon2Parallelism: z.number().int().min(1).max(16).default(1),
    /** A hash that would queue longer than this is refused at once with 503 and Retry-After (a standing queue refuses sooner, docs/decisions.md). */
    hashQueueMaxWaitMs: z.number().int().min(0).max(600_000).default(5000),
    requestTimeoutMs: z.number().int().min(1).default(30_000),
    bodyLimitBytes: z.number().int().min(1).default(1_048_576),
    /** Most time a request body may take to arrive; a slower one gets 504 and the connection closes. */
    bodyReadTimeoutMs: z.number().int().min(1).default(10_000),
    bulkMax: z.number().int().min(1).max(10_000).default(100),
    /** The user list counts its total exactly up to this many matches, then estimates (PostgreSQL); 0: always exact. */
    listExactCountLimit: z.number().int().min(0).default(10_000),
    cacheEnabled: z.boolean().default(true),
    limiterEnabled: z.boolean().default(true),
    /** Leading bits of an IPv6 client address that share one rate-limit bucket (1–128). */
    rateLimitIpv6Prefix: z.number().int().min(1).max(128).default(64),
    /** Most entries the in-memory cache keeps before evicting the least recently used. */
    cacheMaxEntries: z.number().int().min(1).default(10_000),
    appName: z.string().min(1).default('Backend API'),
    appVersion: z.string().min(1).default(VERSION),
    /** Prefix of the API routes; `/health` stays outside it. */
    apiPrefix: z
      .string()
      .regex(routePath, 'must look like /api/v1')
      .default('/api/v1'),
    /** Path of the health route, outside the prefix; `false` leaves it out. */
    healthPath: z.union([z.string().regex(routePath, 'must look like /health'), z.literal(false)]).default('/health'),
    /** Path of the Prometheus exposition, outside the prefix; `false` leaves it out (docs/reference/routes.md "Metrics"). */
    metricsPath: z.union([z.string().regex(routePath, 'must look like /metrics'), z.literal(false)]).default('/metrics'),
    /** The one Bearer token `GET /metrics` accepts; unset: superusers' access tokens only. */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The host's own routes (`defineRoute`), their paths relative to `apiPrefix`. */
    routes: z.array(hostRoute).default([]),
    /** Ids of core routes not to serve (`['export.usersCsv']`). */
    disabledRoutes: z.array(z.string()).default([]),
    /** Per-route limits by id, replacing the route's own; `false` removes the limit. */
    rateLimits: z.record(z.string(), z.union([rateLimitRule, z.literal(false)])).default({}),
    loginLockout: z
      .object({
        /** Failures of one account from one client (IPv4 address or IPv6 group) before that pair is delayed. */
        maxFailures: z.number().int().min(1).default(5),
        /** First delay of a pair; each further delay of the same pair doubles it. */
        baseDelaySeconds: z.number().int().min(1).default(30),
        maxDelaySeconds: z.number().int().min(1).default(3600),
        /** Failures of one account from all clients, within the window below, before it is held. */
        accountMaxFailures: z.number().int().min(1).default(100),
        /** The window of `accountMaxFailures`; a hold lasts until it ends. */
        accountWindowSeconds: z.number().int().min(1).default(86_400),
        /** How long a client the account logged in from stays exempt from a hold. */
        knownIpDays: z.number().int().min(1).max(3650).default(90),
      })
      .prefault({}),
    /** Shortest new password in characters (8–128); the longest is always 128 (docs/reference/routes.md "Passwords"). */
    passwordMinLength: z.number().int().min(PASSWORD_MIN_LENGTH.min).max(PASSWORD_MIN_LENGTH.max).default(PASSWORD_MIN_LENGTH.default),
    /** `off`: no verification mails; `optional` (default): sent, not enforced; `required`: login needs a verified email. */
    emailVerification: z.enum(['off', 'optional', 'required']).default('optional'),
    /** Mail (docs/guides/security.md "Mail"): transport, sender, links, templates, retries. */
    mail: z
      .object({
        /** SMTP through nodemailer; unset means the development mailer, which logs each message. */
        smtpUrl: smtpUrl.optional(),
        from: mailFrom.default('no-reply@localhost'),
        links: z
          .object({
            passwordReset: linkTemplate.default('http://localhost:8000/reset-password?token={token}'),
            emailVerification: linkTemplate.default('http://localhost:8000/verify-email?token={token}'),
          })
          .strict()
          .prefault({}),
        /** Per-kind overrides of the subject, text and HTML (docs/guides/security.md "Mail templates"). */
        templates: instance<MailTemplateOverrides>(isPlainObject, 'must be an object of mail kinds to functions').optional(),
        /** How often the outbox is checked for mails due (a send is also tried right after each commit). */
        pollIntervalMs: z.number().int().min(10).default(5_000),
        /** Sends tried per mail before it is given up (with a growing delay between them). */
        maxAttempts: z.number().int().min(1).max(50).default(8),
        /** Delay before the first retry of a failed send; each further one doubles it (at most an hour). */
        retryDelayMs: z.number().int().min(1).default(5_000),
        /**
         * Send from this core: after each commit and on the timer (default). `false` leaves the
         * mails in the outbox for another instance to send (the CLI does so).
         */
        autoSend: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** The audit trail (docs/reference/routes.md "Audit events"). */
    audit: z
      .object({
        /** Events older than this many days are deleted by `app-core audit purge` and the purge timer. */
        retentionDays: z.number().int().min(1).max(36_500).default(365),
        /** Run the purge every this many minutes inside the core (unset: only the CLI purges). */
        purgeIntervalMinutes: z.number().int().min(1).max(10_080).optional(),
        /** Rows deleted per purge statement; each batch is its own short transaction. */
        purgeBatchSize: z.number().int().min(1).max(100_000).default(5000),
        /** At most one `login.locked` row per (account, client) per this many seconds; 0 records every refusal. */
        lockoutSampleSeconds: z.number().int().min(0).max(86_400).default(60),
      })
      .strict()
      .prefault({}),
    /** Extra user fields (docs/guides/extending.md "Fields"); ship their columns in a migration of your own. */
    user: z
      .object({ fields: z.record(z.string(), instance<UserFieldDefinition>(isPlainObject, 'must be a field definition')).default({}) })
      .strict()
      .prefault({}),
    /** Hooks run inside the transaction of each change (docs/guides/extending.md "Hooks and events"). */
    hooks: instance<CoreHooks>(isPlainObject, 'must be an object of event names to functions').optional(),
    /** Run pending migrations inside createCore. */
    migrate: z.boolean().default(false),
    /** The host's migrations: run after the core's, in the same locked run, recorded in the same table. */
    migrations: z.array(migration).default([]),
    /** Delete expired and revoked sessions every N minutes (0 = never); the CLI's `sessions purge` does it once. */
    sessionPurgeIntervalMinutes: z.number().int().min(0).max(10_080).default(60),
    /** Create this superuser at start if no user has its email or username. */
    firstSuperuser: z
      .object({ email: z.string().min(3), username: z.string().min(3), password: z.string().min(8) })
      .optional(),
    /** A structured, pino-compatible logger; default: one line per message on the console. */
    logger: instance<Logger>(isLogger, 'must have debug, info, warn and error methods').optional(),
    /** Ports by instance: each replaces the built-in one, and the core never closes it. */
    cache: instance<Cache>(hasMethods('get', 'set', 'add', 'delete', 'check', 'close'), 'must implement the Cache port').optional(),
    rateLimiter: instance<RateLimiter>(
      hasMethods('consume', 'peek', 'reset', 'check', 'close'),
      'must implement the RateLimiter port',
    ).optional(),
    passwordHasher: instance<PasswordHasher>(
      hasMethods('hash', 'verify', 'verifyDummy', 'close'),
      'must implement the PasswordHasher port',
    ).optional(),
    mailer: instance<Mailer>(isMailer, 'must have a send method').optional(),
    clock: instance<Clock>(isClock, 'must have a now method').optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.environment === 'production' && !options.secretKey) {
      ctx.addIssue({ code: 'custom', path: ['secretKey'], message: 'is required in production' });
    }
    if (options.database.schema !== undefined && options.database.url.startsWith('sqlite:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'schema'],
        message: 'is only supported on PostgreSQL (database.url is a sqlite: URL); use database.tablePrefix instead',
      });
    }
    if (options.sessions.idleDays > options.sessions.maxDays) {
      ctx.addIssue({ code: 'custom', path: ['sessions', 'idleDays'], message: 'must not exceed sessions.maxDays' });
    }
    if (options.database.poolMin > options.database.poolMax) {
      ctx.addIssue({ code: 'custom', path: ['database', 'poolMin'], message: 'must not exceed database.poolMax' });
    }
  });

/** What a caller passes to `createCore`: every field optional but the production secret. */
export type CoreOptions = z.input<typeof coreOptionsSchema>;

/** The port instances a host may pass to `createCore`. */
export type CorePortOptions = Pick<z.output<typeof coreOptionsSchema>, 'cache' | 'rateLimiter' | 'passwordHasher' | 'mailer' | 'clock'>;

/** The options after validation and defaults, as the services read them (ports, fields and hooks apart). */
export type CoreConfig = Omit<
  z.output<typeof coreOptionsSchema>,
  'secretKey' | 'logger' | 'user' | 'hooks' | keyof CorePortOptions
> & {
  secretKey: string;
  logger: Logger;
};

/** Thrown when options or environment variables are invalid; the message names the culprit. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `options`, fills in defaults, and generates a development secret (with a
 * warning) when none is given.
 *
 * @throws ConfigError naming the first bad option, e.g. `Invalid option database.poolMax: …`.
 */
export function resolveConfig(options: CoreOptions = {}): CoreConfig {
  return resolveOptions(options).config;
}

/** What {@link resolveOptions} makes of `CoreOptions`: the config, and what is not a value. */
export interface ResolvedOptions {
  config: CoreConfig;
  ports: CorePortOptions;
  fields: UserFieldDefinitions;
  hooks: CoreHooks;
}

/**
 * Validates `options` like {@link resolveConfig} and also returns the port instances, user
 * fields and hooks, which are not part of the config.
 *
 * @throws ConfigError naming the first bad option.
 */
export function resolveOptions(options: CoreOptions = {}): ResolvedOptions {
  const parsed = coreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(root)';
      return `Invalid option ${path}: ${issue.message}`;
    });
    throw new ConfigError(messages.join('; '));
  }
  const { secretKey, logger: givenLogger, user, hooks, cache, rateLimiter, passwordHasher, mailer, clock, ...rest } = parsed.data;
  const log = givenLogger ?? createConsoleLogger();
  let secret = secretKey;
  if (!secret) {
    secret = randomBytes(48).toString('base64url');
    if (rest.environment !== 'test') {
      log.warn('SECRET_KEY is not set: using a random key for this process; tokens will not survive a restart.');
    }
  }
  const ports: CorePortOptions = { cache, rateLimiter, passwordHasher, mailer, clock };
  return { config: { ...rest, secretKey: secret, logger: log }, ports, fields: user.fields, hooks: hooks ?? {} };
}

export const CORE_CONFIG = Symbol.for('app.CoreConfig');
