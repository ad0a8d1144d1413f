import type { ClientInfo, User } from '../domain/types';
import type { UserFields } from '../domain/user-fields';
import type { CoreEventName, CoreEvents } from '../events/core-events';
import { clientKey } from '../rate-limit/client-key';

/** One audit row a rule asks for; the recorder adds the time, the request and the client. */
export interface AuditEntry {
  type: string;
  actor: number | null;
  subject: number | null;
  /** Passed through `sanitizeDetails` with the keys the rule declares for `type`. */
  details: Record<string, unknown>;
  /** The client, when the event names it (a login); otherwise the execution scope's. */
  client?: ClientInfo;
}

/** What a rule may consult besides the payload. */
export interface AuditRuleTools {
  fields: UserFields;
}

/** How one core event becomes audit rows. */
export interface AuditRule<E extends CoreEventName> {
  /** Every audit type this rule writes, with the `details` keys it may keep (the whitelist). */
  readonly types: Readonly<Record<string, readonly string[]>>;
  /** The rows of one event: none (null: not audited), one, or several (a bulk create). */
  map(payload: CoreEvents[E], tools: AuditRuleTools): AuditEntry | readonly AuditEntry[] | null;
  /**
   * For events an attacker can repeat cheaply: only the first event of each key is written
   * per sampling window (`audit.lockoutSampleSeconds`); the others are dropped before any
   * transaction opens.
   */
  sample?(payload: CoreEvents[E]): string;
}

/** One rule per audited core event; an event without a rule is not audited. */
export type AuditRules = { readonly [E in CoreEventName]?: AuditRule<E> };

const idOf = (user: User | null | undefined): number | null => user?.id ?? null;

/** Session ids kept in one row; `session_count` always has the full number. */
const MAX_SESSION_IDS = 100;

function sessionDetails(reason: string, ids: readonly number[]): Record<string, unknown> {
  return { reason, session_count: ids.length, session_ids: ids.slice(0, MAX_SESSION_IDS) };
}

/**
 * The audit trail's mapping (docs/reference/routes.md "Audit events"). Adding an event is
 * one entry here: its name, the types it writes with their detail keys, and `map`.
 */
export const AUDIT_RULES: AuditRules = {
  'login.succeeded': {
    types: { 'login.succeeded': ['session_id'] },
    map: ({ user, session }) => ({
      type: 'login.succeeded',
      actor: user.id,
      subject: user.id,
      details: { session_id: session.id },
      client: { ipAddress: session.ip_address, userAgent: session.user_agent },
    }),
  },
  'login.failed': {
    // The identifier typed is not kept: people type passwords into the username field.
    types: { 'login.failed': ['reason'] },
    map: ({ user, reason, client }) => ({ type: 'login.failed', actor: null, subject: idOf(user), details: { reason }, client }),
  },
  'login.locked': {
    types: { 'login.locked': ['retry_after_seconds'] },
    map: ({ user, retry_after_seconds, client }) => ({
      type: 'login.locked',
      actor: null,
      subject: idOf(user),
      details: { retry_after_seconds },
      client,
    }),
    // One row per (account, client group) per window, however fast the refusals come.
    sample: ({ account, client }) => `${account}|${clientKey(client.ipAddress)}`,
  },
  'session.ended': {
    types: {
      logout: ['reason', 'session_count', 'session_ids'],
      'session.revoked': ['reason', 'session_count', 'session_ids'],
    },
    map: ({ user_id, session_ids, reason, actor }) => ({
      type: reason === 'logout' || reason === 'logout_all' ? 'logout' : 'session.revoked',
      actor: idOf(actor),
      subject: user_id,
      details: sessionDetails(reason, session_ids),
    }),
  },
  'user.created': {
    types: { 'user.created': ['source'] },
    // A bulk create's rows are written by `users.bulk_created`, in one statement.
    map: ({ user, actor, source }) =>
      source === 'bulk' ? null : { type: 'user.created', actor: idOf(actor), subject: user.id, details: { source } },
  },
  'users.bulk_created': {
    types: { 'user.created': ['source', 'batch_size'], 'users.bulk_created': ['count', 'user_ids'] },
    map: ({ users, actor }) => [
      ...users.map((user) => ({
        type: 'user.created',
        actor: idOf(actor),
        subject: user.id,
        details: { source: 'bulk', batch_size: users.length },
      })),
      { type: 'users.bulk_created', actor: idOf(actor), subject: null, details: { count: users.length, user_ids: users.map((user) => user.id) } },
    ],
  },
  'user.updated': {
    types: { 'user.updated': ['changed', 'flags'] },
    map: ({ user, before, changed, actor }, { fields }) => {
      if (changed.length === 0) return null;
      // Flags (boolean fields, a host's too) say old → new; other fields only that they changed.
      const flags: Record<string, { old: unknown; new: unknown }> = {};
      for (const name of changed) {
        if (fields.get(name)?.type !== 'boolean') continue;
        flags[name] = { old: before[name as keyof User] ?? null, new: user[name as keyof User] ?? null };
      }
      const details = Object.keys(flags).length > 0 ? { changed, flags } : { changed };
      return { type: 'user.updated', actor: idOf(actor), subject: user.id, details };
    },
  },
  'user.deleted': {
    // The username keeps the trail readable once the user row is gone.
    types: { 'user.deleted': ['username'] },
    map: ({ user, actor }) => ({ type: 'user.deleted', actor: idOf(actor), subject: user.id, details: { username: user.username } }),
  },
  'session.reuse_detected': {
    // Someone replayed a spent refresh token: the session was ended in the same transaction.
    types: { 'session.reuse_detected': ['session_id'] },
    map: ({ user, session }) => ({ type: 'session.reuse_detected', actor: null, subject: user.id, details: { session_id: session.id } }),
  },
  'password.changed': {
    // Besides the PATCH's `user.updated`: credential changes are what a reviewer filters on.
    types: { 'password.changed': ['by_admin'] },
    map: ({ user, actor }) => ({
      type: 'password.changed',
      actor: actor?.id ?? user.id,
      subject: user.id,
      details: { by_admin: actor !== null && actor.id !== user.id },
    }),
  },
  'password.reset_requested': {
    types: { 'password.reset_requested': [] },
    map: ({ user }) => ({ type: 'password.reset_requested', actor: null, subject: user.id, details: {} }),
  },
  'password.reset': {
    // Done by whoever held the link: anonymous, like the reset request itself.
    types: { 'password.reset': [] },
    map: ({ user }) => ({ type: 'password.reset', actor: null, subject: user.id, details: {} }),
  },
  'email.changed': {
    // Neither address is kept: the user row has the new one, and an address is personal data.
    types: { 'email.changed': [] },
    map: ({ user, actor }) => ({ type: 'email.changed', actor: actor?.id ?? user.id, subject: user.id, details: {} }),
  },
  'email.verified': {
    types: { 'email.verified': [] },
    map: ({ user }) => ({ type: 'email.verified', actor: user.id, subject: user.id, details: {} }),
  },
  'export.run': {
    types: { 'export.run': ['export', 'format', 'filters'] },
    map: ({ actor, export: kind, format, filters }) => ({
      type: 'export.run',
      actor: idOf(actor),
      subject: null,
      details: { export: kind, format, filters },
    }),
  },
};

/** Every audit type the rules can write, with the union of its detail keys, sorted by type. */
export function auditEventTypes(rules: AuditRules = AUDIT_RULES): Record<string, string[]> {
  const types: Record<string, Set<string>> = {};
  for (const rule of Object.values(rules) as AuditRule<CoreEventName>[]) {
    for (const [type, keys] of Object.entries(rule.types)) {
      const known = (types[type] ??= new Set());
      for (const key of keys) known.add(key);
    }
  }
  return Object.fromEntries(Object.keys(types).sort().map((type) => [type, [...types[type]!]]));
}
