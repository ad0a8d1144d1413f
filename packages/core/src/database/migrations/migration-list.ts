import { createUsers } from './0001-create-users';
import { createSessions } from './0002-create-sessions';
import { addFlagIndexes } from './0003-add-flag-indexes';
import { sessionRefreshFamilies } from './0004-session-refresh-families';
import { accountLifecycle } from './0005-account-lifecycle';
import { createAuditEvents } from './0006-create-audit-events';
import { searchTrigramIndexes } from './0007-search-trigram-indexes';
import type { Migration } from './migration';

/**
 * Every migration, oldest first. Listed in code rather than found by a glob because the
 * package is bundled: there are no migration files on disk at run time. Append new ones.
 */
export const MIGRATIONS: readonly Migration[] = [
  createUsers,
  createSessions,
  addFlagIndexes,
  sessionRefreshFamilies,
  accountLifecycle,
  createAuditEvents,
  searchTrigramIndexes,
];
