import { expect } from 'chai';
import { describe, it } from 'mocha';
import { createManualClock } from '../clock/clock';
import { ExecutionContext } from '../context/execution-context';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import type { AccountToken, AccountTokenRepository } from '../repositories/account-token-repository';
import { createAccountSchemas } from '../schemas/account';
import { AccountMail } from './account-mail';
import { AccountService } from './account-service';
import { hashToken } from './account-tokens';
import {
  expectAppError, fakeCache, fakeHasher, fakeSessionRepository, fakeUnitOfWork, fakeUserRepository, makeRecord, makeSession, makeUser,
  testConfig, testEventBus,
} from './service-fakes';

/** The token table in memory, with the repository's semantics. */
function memoryTokens(): AccountTokenRepository & { rows: AccountToken[] } {
  const rows: AccountToken[] = [];
  let id = 0;
  return {
    rows,
    async replace(token) {
      for (let i = rows.length - 1; i >= 0; i -= 1) {
        const row = rows[i]!;
        if (row.user_id === token.user_id && (row.purpose === token.purpose || row.expires_at <= token.created_at)) rows.splice(i, 1);
      }
      rows.push({ ...token, id: (id += 1), used_at: null });
    },
    async findValid(purpose, tokenHash, now) {
      return rows.find((row) => row.purpose === purpose && row.token_hash === tokenHash && !row.used_at && row.expires_at > now) ?? null;
    },
    async consume(tokenId, now) {
      const row = rows.find((candidate) => candidate.id === tokenId && !candidate.used_at && candidate.expires_at > now);
      if (row) row.used_at = now;
      return Boolean(row);
    },
    async deleteForUser(userId, purpose) {
      const before = rows.length;
      for (let i = rows.length - 1; i >= 0; i -= 1) if (rows[i]!.user_id === userId && rows[i]!.purpose === purpose) rows.splice(i, 1);
      return before - rows.length;
    },
  };
}

/** Captures what AccountMail queues instead of rendering and storing it. */
function fakeDispatcher() {
  const queued: Array<{ kind: string; to: string; data: Record<string, unknown> }> = [];
  return { queued, queue: async (kind: string, to: string, data: Record<string, unknown>) => void queued.push({ kind, to, data }) };
}

const ada = makeUser({ id: 7, username: 'ada', email: 'ada@example.com' });

function setup() {
  const clock = createManualClock(new Date('2026-01-15T10:00:00.000Z'));
  const users = fakeUserRepository();
  const sessions = fakeSessionRepository();
  const tokens = memoryTokens();
  const uow = fakeUnitOfWork();
  const events = testEventBus(uow);
  const hasher = fakeHasher();
  const config = testConfig();
  const limiter = new MemoryRateLimiter();
  const dispatcher = fakeDispatcher();
  const mail = new AccountMail(tokens, dispatcher as never, config, clock);
  mail.install(events);
  const service = new AccountService(
    users, sessions, tokens, uow, hasher, limiter, fakeCache(), events, mail, createAccountSchemas(), config, clock, new ExecutionContext(),
  );
  const tokenIn = (kind: string) => String(dispatcher.queued.filter((q) => q.kind === kind).at(-1)!.data.token);
  return { clock, users, sessions, tokens, events, hasher, limiter, dispatcher, service, tokenIn };
}

describe('AccountService', () => {
  describe('requestPasswordReset', () => {
    it('queues a link for an active account after answering, storing only the token’s hash', async () => {
      const { users, service, tokens, dispatcher, tokenIn } = setup();
      users.getByEmail.withArgs('ada@example.com').resolves(makeRecord(ada));
      await service.requestPasswordReset({ email: ' ADA@example.com ' });
      await service.settled();
      const token = tokenIn('password_reset');
      expect(Buffer.from(token, 'base64url')).to.have.length(32);
      expect(tokens.rows.map((row) => [row.token_hash, row.purpose])).to.deep.equal([[hashToken(token), 'password_reset']]);
      expect(JSON.stringify(tokens.rows)).to.not.include(token);
      expect(dispatcher.queued[0]).to.deep.include({ kind: 'password_reset', to: 'ada@example.com' });
      expect(dispatcher.queued[0]!.data.link).to.equal(`http://localhost:8000/reset-password?token=${token}`);
    });

    it('queues nothing for an unknown or inactive account, and resolves the same', async () => {
      const { users, service, dispatcher, events } = setup();
      users.getByEmail.withArgs('off@example.com').resolves(makeRecord({ ...ada, is_active: false }));
      expect(await service.requestPasswordReset({ email: 'nobody@example.com' })).to.equal(undefined);
      expect(await service.requestPasswordReset({ email: 'off@example.com' })).to.equal(undefined);
      await service.settled();
      expect(dispatcher.queued).to.deep.equal([]);
      expect(events.emitted).to.deep.equal([]);
    });

    it('limits each email to 3 requests an hour, counted whether or not it exists', async () => {
      const { service } = setup();
      for (let i = 0; i < 3; i += 1) await service.requestPasswordReset({ email: 'nobody@example.com' });
      await expectAppError(service.requestPasswordReset({ email: 'nobody@example.com' }), 'rate_limit_error');
      await service.requestPasswordReset({ email: 'other@example.com' });
    });
  });

  describe('confirmPasswordReset', () => {
    async function issued() {
      const t = setup();
      t.users.getByEmail.resolves(makeRecord(ada));
      await t.service.requestPasswordReset({ email: 'ada@example.com' });
      await t.service.settled();
      t.users.getRecordById.withArgs(7).resolves(makeRecord(ada));
      t.users.update.callsFake(async (_id, changes) => ({ ...ada, ...changes, hashed_password: undefined }) as never);
      t.sessions.revokeAllForUser.resolves([1, 2]);
      return { ...t, token: t.tokenIn('password_reset') };
    }

    it('sets the NFC form of the password, ends every session, verifies the address, and mails a notice', async () => {
      const { service, users, sessions, token, dispatcher, events, tokens } = await issued();
      await service.confirmPasswordReset({ token, new_password: 'Cafe\u0301 au lait 42' });
      expect(users.update.firstCall.args).to.deep.equal([7, { hashed_password: 'hashed:Caf\u00e9 au lait 42', email_verified: true }]);
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([7, undefined]);
      expect(events.emitted.map((e) => e.event)).to.deep.equal(['password.reset_requested', 'session.ended', 'user.updated', 'password.reset']);
      expect(dispatcher.queued.at(-1)).to.deep.include({ kind: 'password_changed', to: 'ada@example.com' });
      expect(tokens.rows, 'outstanding reset links die').to.deep.equal([]);
    });

    it('answers 400 invalid_token to a used, unknown or expired token, hashing nothing', async () => {
      const { service, token, clock, hasher } = await issued();
      await expectAppError(service.confirmPasswordReset({ token: 'made-up', new_password: 'a long passphrase' }), 'invalid_token');
      clock.advance(30 * 60_000);
      await expectAppError(service.confirmPasswordReset({ token, new_password: 'a long passphrase' }), 'invalid_token');
      expect(hasher.hash.called).to.equal(false);
    });

    it('answers 400 once the token is spent', async () => {
      const { service, token } = await issued();
      await service.confirmPasswordReset({ token, new_password: 'a long passphrase' });
      await expectAppError(service.confirmPasswordReset({ token, new_password: 'another long one' }), 'invalid_token');
    });
  });

  describe('email verification', () => {
    it('confirms only a token for the account’s current address', async () => {
      const { service, users, tokenIn } = setup();
      users.getById.withArgs(7).resolves(ada);
      await service.requestEmailVerification({ user: ada });
      const token = tokenIn('email_verification');
      users.getById.withArgs(7).resolves({ ...ada, email: 'moved@example.com' });
      await expectAppError(service.confirmEmailVerification({ token }), 'invalid_token');
    });

    it('sends nothing when the address is verified already', async () => {
      const { service, users, dispatcher } = setup();
      users.getById.withArgs(7).resolves({ ...ada, email_verified: true });
      await service.requestEmailVerification({ user: ada });
      expect(dispatcher.queued).to.deep.equal([]);
    });
  });

  describe('changePassword', () => {
    it('answers 401 to a wrong current password', async () => {
      const { service, users } = setup();
      users.getRecordById.resolves(makeRecord(ada));
      await expectAppError(
        service.changePassword({ user: ada, session: makeSession({ id: 3 }) }, { current_password: 'nope', new_password: 'a long passphrase' }),
        'authentication_error',
        'Current password is incorrect',
      );
    });

    it('keeps the caller’s session, ends the others and emits password.changed', async () => {
      const { service, users, sessions, events, dispatcher } = setup();
      users.getRecordById.resolves(makeRecord(ada));
      users.update.resolves(ada);
      await service.changePassword({ user: ada, session: makeSession({ id: 3 }) }, { current_password: 'correct-horse', new_password: 'a long passphrase' });
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([7, 3]);
      expect(events.emitted.map((e) => e.event)).to.deep.equal(['user.updated', 'password.changed']);
      expect(dispatcher.queued.map((q) => [q.kind, q.data.reason])).to.deep.equal([['password_changed', 'changed']]);
    });
  });

  describe('mails on events', () => {
    it('sends a verification link on registration, and a notice to the old address plus a link to the new on an email change', async () => {
      const { events, dispatcher } = setup();
      await events.emit('user.created', { user: ada, actor: null, source: 'register' });
      await events.emit('user.created', { user: { ...ada, id: 8 }, actor: null, source: 'admin' });
      await events.emit('email.changed', { user: { ...ada, email: 'new@example.com' }, previous_email: 'ada@example.com', actor: ada });
      expect(dispatcher.queued.map((q) => [q.kind, q.to])).to.deep.equal([
        ['email_verification', 'ada@example.com'],
        ['email_changed', 'ada@example.com'],
        ['email_verification', 'new@example.com'],
      ]);
    });
  });
});
