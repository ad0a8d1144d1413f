import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { VERSION } from '../version';

/** Where the core writes its few operational messages (a missing secret, a Redis outage). */
export interface CoreLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const logger = z.custom<CoreLogger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['info', 'warn', 'error'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
  { message: 'must have info, warn and error methods' },
);

const databaseUrl = z
  .string()
  .refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), 'must start with sqlite: or postgres://');
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
    accessTokenExpireMinutes: z.number().int().min(1).default(30),
    bcryptRounds: z.number().int().min(4).max(31).default(12),
    /** Hashing worker threads; defaults to the number of cores. */
    hashWorkers: z.number().int().min(1).max(64).optional(),
    /** Algorithm of new password hashes; stored bcrypt and Argon2id hashes verify either way. */
    hashAlgorithm: z.enum(['bcrypt', 'argon2id'], { message: 'must be bcrypt or argon2id' }).default('bcrypt'),
    /** Argon2id memory per hash in KiB (the default is OWASP's minimum, 19 MiB). */
    argon2MemoryKib: z.number().int().min(1024).max(1_048_576).default(19_456),
    argon2TimeCost: z.number().int().min(1).max(100).default(2),
    argon2Parallelism: z.number().int().min(1).max(16).default(1),
    /** A hash that would queue longer than this is refused at once with 503 and Retry-After. */
    hashQueueMaxWaitMs: z.number().int().min(0).max(600_000).default(5000),
    requestTimeoutMs: z.number().int().min(1).default(30_000),
    bodyLimitBytes: z.number().int().min(1).default(1_048_576),
    bulkMax: z.number().int().min(1).max(10_000).default(100),
    cacheEnabled: z.boolean().default(true),
    limiterEnabled: z.boolean().default(true),
    /** Most entries the in-memory cache keeps before evicting the least recently used. */
    cacheMaxEntries: z.number().int().min(1).default(10_000),
    appName: z.string().min(1).default('Backend API'),
    appVersion: z.string().min(1).default(VERSION),
    /** Prefix of the API routes; `/health` stays outside it. */
    apiPrefix: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like /api/v1')
      .default('/api/v1'),
    loginLockout: z
      .object({
        /** Consecutive failures for one account before it is locked. */
        maxFailures: z.number().int().min(1).default(5),
        /** First lock length; each further lock of the same account doubles it. */
        baseDelaySeconds: z.number().int().min(1).default(30),
        maxDelaySeconds: z.number().int().min(1).default(3600),
      })
      .prefault({}),
    /** Run pending migrations inside createCore. */
    migrate: z.boolean().default(false),
    /** Create this superuser at start if no user has its email or username. */
    firstSuperuser: z
      .object({ email: z.string().min(3), username: z.string().min(3), password: z.string().min(8) })
      .optional(),
    logger: logger.optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.environment === 'production' && !options.secretKey) {
      ctx.addIssue({ code: 'custom', path: ['secretKey'], message: 'is required in production' });
    }
    if (options.database.poolMin > options.database.poolMax) {
      ctx.addIssue({ code: 'custom', path: ['database', 'poolMin'], message: 'must not exceed database.poolMax' });
    }
  });

/** What a caller passes to `createCore`: every field optional but the production secret. */
export type CoreOptions = z.input<typeof coreOptionsSchema>;

/** The options after validation and defaults, as the services read them. */
export type CoreConfig = Omit<z.output<typeof coreOptionsSchema>, 'secretKey' | 'logger'> & {
  secretKey: string;
  logger: CoreLogger;
};

/** Thrown when options or environment variables are invalid; the message names the culprit. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const consoleLogger: CoreLogger = {
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/**
 * Validates `options`, fills in defaults, and generates a development secret (with a
 * warning) when none is given.
 *
 * @throws ConfigError naming the first bad option, e.g. `Invalid option database.poolMax: …`.
 */
export function resolveConfig(options: CoreOptions = {}): CoreConfig {
  const parsed = coreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(root)';
      return `Invalid option ${path}: ${issue.message}`;
    });
    throw new ConfigError(messages.join('; '));
  }
  const { secretKey, logger: givenLogger, ...rest } = parsed.data;
  const log = givenLogger ?? consoleLogger;
  let secret = secretKey;
  if (!secret) {
    secret = randomBytes(48).toString('base64url');
    if (rest.environment !== 'test') {
      log.warn('SECRET_KEY is not set: using a random key for this process; tokens will not survive a restart.');
    }
  }
  return { ...rest, secretKey: secret, logger: log };
}

export const CORE_CONFIG = Symbol.for('app.CoreConfig');
