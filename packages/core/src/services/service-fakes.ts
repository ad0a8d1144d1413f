import sinon, { type SinonStub } from 'sinon';
import type { Cache } from '../cache/cache';
import { resolveConfig, type CoreConfig, type CoreOptions } from '../config/options';
import type { UnitOfWork } from '../database/unit-of-work';
import { isAppError, type AppError, type ErrorCode } from '../errors/app-error';
import type { Session, User, UserRecord } from '../domain/types';
import type { SessionRepository } from '../repositories/session-repository';
import type { UserRepository } from '../repositories/user-repository';
import type { PasswordHasher } from '../security/password-hasher';
import { RefreshTokenCodec } from '../security/refresh-token-codec';
import type { TokenService } from '../security/token-service';
import { ExecutionContext } from '../context/execution-context';
import { createUserFields, type UserFieldDefinitions, type UserFields } from '../domain/user-fields';
import type { CoreHooks } from '../events/core-events';
import { EventBus } from '../events/event-bus';
import { silentLogger } from '../logger/logger';
import { createUserSchemas, type UserSchemas } from '../schemas/user';

/**
 * Sinon fakes of the ports the services use (test-only; the seed's testing strategy: the
 * services are tested against fakes, the repositories against real databases).
 */

/** An object whose every method is a sinon stub typed after the port. */
export type Stubbed<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? SinonStub<A, R> : T[K] };

function stubAll<T>(methods: ReadonlyArray<keyof T>): Stubbed<T> {
  return Object.fromEntries(methods.map((name) => [name, sinon.stub()])) as unknown as Stubbed<T>;
}

const T0 = new Date('2026-01-15T10:30:00.000Z');

/** A user with sensible defaults. */
export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    email: 'alice@example.com',
    username: 'alice',
    full_name: 'Alice Example',
    is_active: true,
    is_superuser: false,
    email_verified: false,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

/** A user row with the fake hasher's hash of `password`. */
export function makeRecord(overrides: Partial<User> = {}, password = 'correct-horse'): UserRecord {
  return { ...makeUser(overrides), hashed_password: `hashed:${password}` };
}

/** A session with sensible defaults. */
export function makeSession(overrides: Partial<Session> = {}): Session {
  return {
    id: 10,
    user_id: 1,
    jti: 'jti-10',
    ip_address: '203.0.113.9',
    user_agent: 'test',
    is_active: true,
    expires_at: new Date(T0.getTime() + 7 * 86_400_000),
    absolute_expires_at: new Date(T0.getTime() + 30 * 86_400_000),
    created_at: T0,
    last_used_at: T0,
    ...overrides,
  };
}

/** Every method stubbed; lookups resolve null and lists empty unless a test says otherwise. */
export function fakeUserRepository(): Stubbed<UserRepository> {
  const repo = stubAll<UserRepository>([
    'getById', 'getRecordById', 'getByUsername', 'getByUsernameInsensitive', 'getByEmail', 'findConflicts',
    'create', 'bulkCreate', 'update', 'replaceHash', 'delete', 'list', 'listAfterId', 'count', 'stats', 'signupsPerDay',
  ]);
  for (const name of ['getById', 'getRecordById', 'getByUsername', 'getByUsernameInsensitive', 'getByEmail'] as const) {
    repo[name].resolves(null);
  }
  repo.findConflicts.resolves([]);
  repo.listAfterId.resolves([]);
  repo.create.callsFake(async (row) => makeUser({ id: 100, email: row.email, username: row.username, full_name: row.full_name ?? null }));
  repo.bulkCreate.callsFake(async (rows) =>
    rows.map((row, index) => makeUser({ id: 100 + index, email: row.email, username: row.username })),
  );
  return repo;
}

/** Every method stubbed; `create` echoes a session row (without its hash); lookups find nothing. */
export function fakeSessionRepository(): Stubbed<SessionRepository> {
  const repo = stubAll<SessionRepository>([
    'create', 'findActive', 'findForRefresh', 'rotate', 'touch', 'revoke', 'revokeAllForUser', 'listActiveForUser', 'purgeExpired',
  ]);
  repo.create.callsFake(async ({ refresh_token_hash: _hash, ...row }) =>
    makeSession({ id: 50, ...row, ip_address: row.ip_address ?? null, user_agent: row.user_agent ?? null, last_used_at: row.last_used_at ?? null }),
  );
  repo.findActive.resolves(null);
  repo.findForRefresh.resolves(null);
  repo.rotate.resolves(true);
  repo.touch.resolves(true);
  repo.revoke.resolves(false);
  repo.revokeAllForUser.resolves([]);
  repo.listActiveForUser.resolves([]);
  return repo;
}

/**
 * A unit of work that just runs the work, recording the call; `afterCommit` callbacks run
 * when the outermost work resolves (never when it throws), as after a real commit.
 */
export function fakeUnitOfWork(): UnitOfWork & { run: sinon.SinonSpy } {
  let pending: Array<() => void> | undefined;
  const run = sinon.spy(async (work: () => Promise<unknown>) => {
    if (pending) return work();
    pending = [];
    try {
      const result = await work();
      const callbacks = pending;
      pending = undefined;
      for (const callback of callbacks) callback();
      return result;
    } finally {
      pending = undefined;
    }
  });
  const afterCommit = (callback: () => void) => (pending ? pending.push(callback) : callback());
  return { run, afterCommit } as unknown as UnitOfWork & { run: sinon.SinonSpy };
}

/** Hashes to `hashed:<password>`; verifies by comparing; `verifyDummy` resolves false. */
export function fakeHasher(): Stubbed<PasswordHasher> {
  const hasher = stubAll<PasswordHasher>(['hash', 'verify', 'verifyDummy', 'needsRehash', 'close']);
  hasher.needsRehash.returns(false);
  hasher.hash.callsFake(async (password) => `hashed:${password}`);
  hasher.verify.callsFake(async (password, hash) => hash === `hashed:${password}`);
  hasher.verifyDummy.resolves(false);
  return hasher;
}

/** Issues `token-<n>` with the given jti or `jti-<n>`, for 15 minutes; `verify` must be set by the test. */
export function fakeTokens(): Stubbed<TokenService> {
  const tokens = stubAll<TokenService>(['issue', 'verify']);
  let n = 0;
  tokens.issue.callsFake((request) => {
    n += 1;
    return { token: `token-${n}`, jti: request.jti ?? `jti-${n}`, expiresAt: new Date(T0.getTime() + 900_000), expiresIn: 900 };
  });
  return tokens;
}

/** The refresh-token codec under a fixed test key (it is pure: no fake needed). */
export function testRefreshCodec(): RefreshTokenCodec {
  return new RefreshTokenCodec('a-test-secret-that-is-long-enough-0123456789');
}

/** The cache fake: the port, with every method a stub (its generic `get` keeps the port's type). */
export type FakeCache = Cache & {
  [K in 'get' | 'set' | 'add' | 'delete' | 'getVersioned' | 'setVersioned' | 'bump' | 'check' | 'close']: SinonStub;
};

/** A cache that misses on every read unless a test says otherwise. */
export function fakeCache(backend: Cache['backend'] = 'memory'): FakeCache {
  const cache = stubAll<Cache>(['get', 'set', 'add', 'delete', 'getVersioned', 'setVersioned', 'bump', 'check', 'close']);
  cache.get.resolves(undefined);
  cache.getVersioned.resolves({ value: undefined, stamp: 'v1' });
  cache.setVersioned.resolves();
  cache.bump.resolves();
  cache.set.resolves();
  cache.add.resolves(true);
  cache.delete.resolves();
  cache.check.resolves(true);
  return Object.assign(cache, { backend }) as unknown as FakeCache;
}

/** A validated test configuration. */
export function testConfig(options: CoreOptions = {}): CoreConfig {
  return resolveConfig({ environment: 'test', ...options });
}

/** Awaits `promise`, expecting an AppError with `code` (and `message` when given); returns it. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode, message?: string): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (!isAppError(caught)) throw new Error(`expected AppError ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  if (caught.code !== code) throw new Error(`expected ${code}, got ${caught.code}: ${caught.message}`);
  if (message !== undefined && caught.message !== message) {
    throw new Error(`expected message "${message}", got "${caught.message}"`);
  }
  return caught;
}

/** The registry and wire schemas of a core with these extra fields. */
export function testUserModel(extra: UserFieldDefinitions = {}, bulkMax = 100): { fields: UserFields; schemas: UserSchemas } {
  const fields = createUserFields(extra);
  return { fields, schemas: createUserSchemas(fields, { bulkMax }) };
}

/**
 * A real EventBus over a fake unit of work; `emitted` records every event in order, as the
 * hooks saw it (inside the "transaction").
 */
export function testEventBus(uow: UnitOfWork, hooks: CoreHooks = {}): EventBus & { emitted: Array<{ event: string; payload: unknown }> } {
  const bus = new EventBus(
    { afterCommit: (callback) => uow.afterCommit(callback), query: async () => [] },
    new ExecutionContext(),
    silentLogger,
    hooks,
  );
  const emitted: Array<{ event: string; payload: unknown }> = [];
  const emit = bus.emit.bind(bus);
  bus.emit = async (event, payload) => {
    emitted.push({ event, payload });
    return emit(event, payload);
  };
  return Object.assign(bus, { emitted });
}
