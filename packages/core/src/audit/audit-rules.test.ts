import { expect } from 'chai';
import type { CoreEventName, CoreEvents } from '../events/core-events';
import { makeSession, makeUser, testUserModel } from '../services/service-fakes';
import { AUDIT_RULES, auditEventTypes, type AuditEntry, type AuditRule } from './audit-rules';

const { fields } = testUserModel({ is_vip: { type: 'boolean', default: false, setBy: ['admin'] } });
const admin = makeUser({ id: 2, is_superuser: true });
const alice = makeUser({ id: 7 });

function rows<E extends CoreEventName>(event: E, payload: CoreEvents[E]): AuditEntry[] {
  const rule = AUDIT_RULES[event] as AuditRule<E> | undefined;
  if (!rule) throw new Error(`no rule for ${event}`);
  const mapped = rule.map(payload, { fields });
  return mapped === null ? [] : Array.isArray(mapped) ? [...mapped] : [mapped as AuditEntry];
}

describe('AUDIT_RULES', () => {
  it('declares every type a rule writes, with the keys its details use', () => {
    for (const [event, rule] of Object.entries(AUDIT_RULES) as [CoreEventName, AuditRule<CoreEventName>][]) {
      for (const type of Object.keys(rule.types)) expect(type, event).to.match(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/);
    }
    expect(Object.keys(auditEventTypes())).to.deep.equal([
      'email.changed', 'email.verified', 'export.run', 'login.failed', 'login.locked', 'login.succeeded', 'logout',
      'password.changed', 'password.reset', 'password.reset_requested', 'session.reuse_detected', 'session.revoked',
      'user.created', 'user.deleted', 'user.updated', 'users.bulk_created',
    ]);
  });

  it('records a password change as the user’s own, or flags an admin’s', () => {
    expect(rows('password.changed', { user: alice, actor: alice })[0]).to.include({ actor: 7, subject: 7 }).and.deep.include({ details: { by_admin: false } });
    expect(rows('password.changed', { user: alice, actor: admin })[0]).to.include({ actor: 2, subject: 7 }).and.deep.include({ details: { by_admin: true } });
  });

  it('records a replayed refresh token against the session’s user, anonymously', () => {
    const session = makeSession({ id: 51, user_id: 7 });
    expect(rows('session.reuse_detected', { user: alice, session })).to.deep.equal([
      { type: 'session.reuse_detected', actor: null, subject: 7, details: { session_id: 51 } },
    ]);
  });

  it('records a login as done by the user to themselves, from the session client', () => {
    const session = makeSession({ id: 50, user_id: 7, ip_address: '198.51.100.4', user_agent: 'ua' });
    expect(rows('login.succeeded', { user: alice, session })).to.deep.equal([
      { type: 'login.succeeded', actor: 7, subject: 7, details: { session_id: 50 }, client: { ipAddress: '198.51.100.4', userAgent: 'ua' } },
    ]);
  });

  it('records a failed login anonymously with its reason, never what was typed', () => {
    const [row] = rows('login.failed', { user: null, reason: 'unknown_user', client: { ipAddress: '198.51.100.4' } });
    expect(row).to.deep.equal({ type: 'login.failed', actor: null, subject: null, details: { reason: 'unknown_user' }, client: { ipAddress: '198.51.100.4' } });
  });

  it('samples lockout refusals per account and client group (an IPv6 /64 is one client)', () => {
    const rule = AUDIT_RULES['login.locked']!;
    const payload = (ip: string) => ({ user: alice, account: 'id:7', retry_after_seconds: 30, client: { ipAddress: ip } });
    expect(rule.sample!(payload('2001:db8:1:2::1'))).to.equal(rule.sample!(payload('2001:db8:1:2::ffff')));
    expect(rule.sample!(payload('203.0.113.1'))).to.not.equal(rule.sample!(payload('203.0.113.2')));
  });

  it('calls an ended session a logout or a revocation, with the ids and their count', () => {
    const logout = rows('session.ended', { user_id: 7, session_ids: [3], reason: 'logout', actor: alice })[0]!;
    const revoked = rows('session.ended', { user_id: 7, session_ids: [4, 5], reason: 'password_changed', actor: admin })[0]!;
    expect(logout).to.deep.include({ type: 'logout', actor: 7, subject: 7, details: { reason: 'logout', session_count: 1, session_ids: [3] } });
    expect(revoked).to.deep.include({ type: 'session.revoked', actor: 2, details: { reason: 'password_changed', session_count: 2, session_ids: [4, 5] } });
  });

  it('records one row per bulk-created user plus one for the batch, and none from user.created', () => {
    const users = [makeUser({ id: 11 }), makeUser({ id: 12 })];
    expect(rows('user.created', { user: users[0]!, actor: admin, source: 'bulk' })).to.deep.equal([]);
    const batch = rows('users.bulk_created', { users, actor: admin });
    expect(batch.map((row) => [row.type, row.subject])).to.deep.equal([
      ['user.created', 11],
      ['user.created', 12],
      ['users.bulk_created', null],
    ]);
    expect(batch[2]!.details).to.deep.equal({ count: 2, user_ids: [11, 12] });
    expect(batch[0]!.details).to.deep.equal({ source: 'bulk', batch_size: 2 });
  });

  it('names the changed fields and gives flags, a host flag too, as old → new', () => {
    const before = { ...alice, is_active: true, is_vip: false } as never;
    const user = { ...alice, is_active: false, is_vip: true, full_name: 'New' } as never;
    const [row] = rows('user.updated', { user, before, changed: ['full_name', 'is_active', 'is_vip', 'password'], actor: admin });
    expect(row!.details).to.deep.equal({
      changed: ['full_name', 'is_active', 'is_vip', 'password'],
      flags: { is_active: { old: true, new: false }, is_vip: { old: false, new: true } },
    });
    expect(JSON.stringify(row)).to.not.include('New');
  });

  it('writes nothing for an update that changed nothing', () => {
    expect(rows('user.updated', { user: alice, before: alice, changed: [], actor: admin })).to.deep.equal([]);
  });

  it('keeps a deleted user readable by username', () => {
    expect(rows('user.deleted', { user: alice, actor: admin })[0]!.details).to.deep.equal({ username: 'alice' });
  });
});
