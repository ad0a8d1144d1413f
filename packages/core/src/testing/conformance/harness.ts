import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request, { type Test } from 'supertest';
import type { CoreOptions } from '../../config/options';
import type { Core } from '../../core';
import { MemoryCache } from '../../cache/memory-cache';
import { createCore } from '../../create-core';
import { createConsoleLogger } from '../../logger/logger';
import { MemoryOutbox } from '../../mail/memory-outbox';
import type { User } from '../../domain/types';
import type { TestDatabase, TestDatabaseTarget } from '../test-databases';

/**
 * What the adapter under test provides: a host app serving `core`, as a request listener or
 * an `http.Server` (or a promise of one, for a framework that must get ready first).
 */
export type MountHost = (core: Core) => RequestListener | Server | Promise<RequestListener | Server>;

/** One storage combination the suite runs against. */
export interface StorageTarget {
  /** e.g. `sqlite + memory`, `postgres + redis`. */
  readonly label: string;
  readonly database: TestDatabaseTarget;
  /** Set for the Redis-backed variant. */
  readonly redisUrl?: string;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete' | 'head' | 'options';

/**
 * A caller with its own client IP (sent as `X-Forwarded-For`, which the host trusts), so every
 * test gets fresh per-IP rate-limit buckets, and optionally a bearer token.
 */
export class TestClient {
  constructor(
    private readonly server: Server,
    readonly ip: string,
    readonly token?: string,
  ) {}

  /** The same IP, calling with `token`. */
  withToken(token: string | undefined): TestClient {
    return new TestClient(this.server, this.ip, token);
  }

  call(method: Method, path: string): Test {
    const test = request(this.server)[method](path).set('X-Forwarded-For', this.ip).set('User-Agent', 'conformance-agent/1.0');
    return this.token ? test.set('Authorization', `Bearer ${this.token}`) : test;
  }

  get(path: string): Test {
    return this.call('get', path);
  }
  post(path: string, body?: unknown): Test {
    const test = this.call('post', path);
    return body === undefined ? test : test.send(body as object);
  }
  patch(path: string, body?: unknown): Test {
    const test = this.call('patch', path);
    return body === undefined ? test : test.send(body as object);
  }
  delete(path: string): Test {
    return this.call('delete', path);
  }
}

/** A user created for a test, with the password it was created with. */
export interface TestUser {
  readonly user: User;
  readonly password: string;
}

/** A user plus a live token and a client (own IP) that sends it. */
export interface SignedInUser extends TestUser {
  readonly token: string;
  /** The refresh token of the same login. */
  readonly refreshToken: string;
  readonly client: TestClient;
}

/** Another core of the same deployment (same database and secret), served by the same adapter. */
export interface Sibling {
  readonly core: Core;
  /** A client of this instance with a never-used IP and no token. */
  client(): TestClient;
  stop(): Promise<void>;
}

export interface NewTestUser {
  superuser?: boolean;
  active?: boolean;
  full_name?: string | null;
  username?: string;
  email?: string;
  password?: string;
  /** `email_verified` (default true, so EMAIL_VERIFICATION=required cores can sign in). */
  verified?: boolean;
}

let ipCounter = 0;
const runId = randomBytes(3).toString('hex');
let nameCounter = 0;

/** A unique alphanumeric name (safe as username, email local part and search marker). */
export function uniqueName(label = 'u'): string {
  nameCounter += 1;
  return `${label}${nameCounter}x${runId}`;
}

/**
 * One core on a fresh database, served by the adapter's host on an ephemeral port. Built in
 * `start()`, released in `stop()`; `clone()` builds a further core with other options.
 */
export class Harness {
  core!: Core;
  /** Every mail this core sent (the core's mailer, unless the overrides name another). */
  readonly outbox = new MemoryOutbox();
  /**
   * Without Redis, the memory cache this core and its siblings share: instances of one
   * deployment share their cache (scope versions included), which across processes only
   * Redis can do (docs/guides/scaling.md).
   */
  private sharedCache?: MemoryCache;
  /** A superuser, the actor for service calls that need one. */
  admin!: TestUser;
  private server!: Server;
  private database!: TestDatabase;

  constructor(
    readonly target: StorageTarget,
    private readonly mount: MountHost,
    private readonly overrides: Partial<CoreOptions> | ((base: CoreOptions) => Partial<CoreOptions>) = {},
  ) {}

  /** `http://127.0.0.1:<port>` of the host, for raw requests supertest cannot send. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `/api/v1` + `path`. */
  api(path: string): string {
    return `${this.core.http.prefix}${path}`;
  }

  /** The core options this harness uses, before its overrides. */
  baseOptions(): CoreOptions {
    return {
      environment: 'test',
      database: { url: this.database.url },
      bcryptRounds: 4,
      hashWorkers: 2,
      migrate: true,
      mailer: this.outbox,
      // Retries within the tests' deadlines; the timer also picks up mails a commit did not.
      mail: { pollIntervalMs: 100, retryDelayMs: 50 },
      // Migration chatter would drown the test report; warnings and errors still show.
      logger: createConsoleLogger({ level: 'warn' }),
      redis: this.target.redisUrl ? { url: this.target.redisUrl, keyPrefix: `conformance:${randomUUID()}:` } : {},
    };
  }

  async start(): Promise<void> {
    this.database = await this.target.database.create();
    const base = this.baseOptions();
    const overrides = typeof this.overrides === 'function' ? this.overrides(base) : this.overrides;
    const redis = { ...base.redis, ...overrides.redis };
    if (!redis.url && !redis.cacheUrl && overrides.cacheEnabled !== false && !overrides.cache) this.sharedCache = new MemoryCache();
    this.core = await createCore({ ...base, ...overrides, redis, ...(this.sharedCache ? { cache: this.sharedCache } : {}) });
    this.server = await listen(await this.mount(this.core));
    this.admin = await this.createUser({ superuser: true });
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
    if (this.core) await this.core.close();
    await this.sharedCache?.close();
    if (this.database) await this.database.drop();
  }

  /** A client with a never-used IP and no token. */
  client(): TestClient {
    ipCounter += 1;
    return new TestClient(this.server, `198.18.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`);
  }

  /** Creates a user through the service (fast, no HTTP, no rate limit). */
  async createUser(options: NewTestUser = {}): Promise<TestUser> {
    const username = options.username ?? uniqueName();
    const password = options.password ?? `pw-${randomBytes(6).toString('hex')}`;
    const user = await this.core.services.users.createUser({
      email: options.email ?? `${username.toLowerCase()}@example.com`,
      username,
      password,
      full_name: options.full_name === undefined ? `Test ${username}` : options.full_name,
      is_active: options.active ?? true,
      is_superuser: options.superuser ?? false,
      email_verified: options.verified ?? true,
    });
    return { user, password };
  }

  /** Logs in through the service and returns the access token. */
  async tokenFor(user: TestUser, ip = '203.0.113.7'): Promise<string> {
    return (await this.loginFor(user, ip)).accessToken;
  }

  /** Logs in through the service and returns both tokens of the new session. */
  async loginFor(user: TestUser, ip = '203.0.113.7'): Promise<{ accessToken: string; refreshToken: string }> {
    const result = await this.core.services.auth.login(
      { username: user.user.username, password: user.password },
      { ipAddress: ip, userAgent: 'conformance-service' },
    );
    return { accessToken: result.accessToken, refreshToken: result.refreshToken };
  }

  /** Creates a user, logs it in, and gives it a client of its own. */
  async signIn(options: NewTestUser = {}): Promise<SignedInUser> {
    const created = await this.createUser(options);
    const { accessToken: token, refreshToken } = await this.loginFor(created);
    return { ...created, token, refreshToken, client: this.client().withToken(token) };
  }

  /**
   * A second core on this harness's database with the same secret and options (plus
   * `overrides`, e.g. the same clock), served by the same adapter: another instance of one
   * deployment. Stop it before the harness.
   */
  async sibling(overrides: Partial<CoreOptions> = {}): Promise<Sibling> {
    const base = this.baseOptions();
    const core = await createCore({
      ...base,
      ...(typeof this.overrides === 'function' ? this.overrides(base) : this.overrides),
      // One deployment: the same signing key and the same Redis key prefix.
      secretKey: this.core.config.secretKey,
      redis: this.core.config.redis,
      ...(this.sharedCache ? { cache: this.sharedCache } : {}),
      migrate: false,
      ...overrides,
    });
    const server = await listen(await this.mount(core));
    return {
      core,
      client: () => new TestClient(server, this.client().ip),
      async stop() {
        await closeServer(server);
        await core.close();
      },
    };
  }

  /** Deactivates (or reactivates) a user through the service. */
  async setActive(user: User, active: boolean): Promise<void> {
    await this.core.services.users.updateUser(this.admin.user, user.id, { is_active: active });
  }
}

/** Serves a host on an ephemeral port of 127.0.0.1. */
export async function listen(host: RequestListener | Server): Promise<Server> {
  const server = typeof host === 'function' ? createServer(host) : host;
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  }
  if (!(server.address() as AddressInfo | null)?.port) throw new Error('the host server is not listening on a port');
  return server;
}

/** Closes a server started by {@link listen}, cutting its open connections. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
