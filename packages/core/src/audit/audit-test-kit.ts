import { createHash } from 'node:crypto';
import { after, before } from 'mocha';
import type { CoreOptions } from '../config/options';
import type { Core } from '../core';
import { createCore } from '../create-core';
import type { AuditFilters, AuditEvent } from './audit-event';
import type { PasswordHasher } from '../security/password-hasher';
import { createMemoryLogger, type MemoryLogger } from '../testing/memory-logger';
import type { TestDatabase, TestDatabaseTarget } from '../testing/test-databases';

/**
 * Test-only helpers of the audit trail's integration tests: a core per database target, a
 * hasher that can be held at a gate, and a reader of the whole trail.
 */

/** A promise with its resolver, for gating a hook or a hash until the test says so. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * A fast hasher (SHA-256, not for production) whose `hash` waits at `hold` for passwords
 * starting with `gated-`, and says when it got there: lets a test act between a service's
 * checks and its transaction.
 */
export function gatedHasher(): PasswordHasher & { hold?: Gate; reached?: Gate } {
  const digest = (password: string) => `sha256$${createHash('sha256').update(password).digest('hex')}`;
  const hasher: PasswordHasher & { hold?: Gate; reached?: Gate } = {
    needsRehash: () => false,
    async hash(password) {
      if (password.startsWith('gated-') && hasher.hold) {
        hasher.reached?.open();
        await hasher.hold.promise;
      }
      return digest(password);
    },
    verify: async (password, hash) => digest(password) === hash,
    verifyDummy: async () => false as const,
    close: async () => undefined,
  };
  return hasher;
}

/** Every event matching `filters`, newest first, read page by page through the service. */
export async function readTrail(core: Core, filters: AuditFilters = {}): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await core.services.audit.list({ ...filters, size: 100, cursor });
    events.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return events;
}

/** Waits until `check` holds, polling; fails after `seconds`. */
export async function waitFor(check: () => boolean | Promise<boolean>, seconds = 10): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Registers mocha hooks building one core on a fresh database of `target` (migrated, the
 * gated hasher, a memory logger) and closing it after. `options` may be a function of the
 * holder, so hooks can reach the test's controls.
 */
export function useAuditCore(
  target: TestDatabaseTarget,
  options: Partial<CoreOptions> = {},
): { core: Core; logger: MemoryLogger; hasher: ReturnType<typeof gatedHasher>; database: TestDatabase } {
  const holder = { logger: createMemoryLogger(), hasher: gatedHasher() } as {
    core: Core;
    logger: MemoryLogger;
    hasher: ReturnType<typeof gatedHasher>;
    database: TestDatabase;
  };
  before(async () => {
    holder.database = await target.create();
    holder.core = await createCore({
      environment: 'test',
      database: { url: holder.database.url },
      migrate: true,
      passwordHasher: holder.hasher,
      logger: holder.logger,
      ...options,
    });
  });
  after(async () => {
    await holder.core?.close();
    await holder.database?.drop();
  });
  return holder;
}
