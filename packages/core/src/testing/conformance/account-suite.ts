import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { AppError } from '../../errors/app-error';
import { createConsoleLogger } from '../../logger/logger';
import type { MailMessage } from '../../mail/mailer';
import { expectError, expectJson, expectUserJson, expectValidation, type UserBody } from './assertions';
import { uniqueName, type Harness, type SignedInUser, type TestUser } from './harness';

/** The token a mail's link carries (the default links end in `?token=<token>`). */
export function tokenOf(mail: MailMessage): string {
  const match = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  expect(match, `a token link in the ${mail.kind} mail`).to.not.equal(null);
  return decodeURIComponent(match![1]!);
}

const NEW_PASSWORD = 'a fresh passphrase 7';

/**
 * Password reset, email verification, change-password and re-authentication over HTTP,
 * reading mails from the harness's in-memory outbox (docs/reference/routes.md "Account").
 */
export function accountSuite(h: Harness): void {
  const mailTo = (to: string, kind: string) => h.outbox.waitFor((m) => m.to === to && m.kind === kind);
  const login = (user: TestUser, password: string) =>
    h.client().post(h.api('/auth/login'), { username: user.user.username, password });

  describe('POST /auth/register', () => {
    it('mails a verification link that confirms the address once (200 User), then is 400 invalid_token', async () => {
      const name = uniqueName('ver');
      const email = `${name}@example.com`;
      const res = await h.client().post(h.api('/auth/register'), { email, username: name, password: 'correct horse 1' });
      expect(expectJson<UserBody>(res, 201).email_verified).to.equal(false);
      const token = tokenOf(await mailTo(email, 'email_verification'));
      const confirmed = await h.client().post(h.api('/auth/verify-email/confirm'), { token });
      const user = expectJson<UserBody>(confirmed, 200);
      expectUserJson(user, h.core.fields.visible);
      expect(user).to.include({ email, email_verified: true });
      expectError(await h.client().post(h.api('/auth/verify-email/confirm'), { token }), 400, 'invalid_token');
    });
  });

  describe('POST /auth/password-reset/request', () => {
    it('answers 202 with the same body for known and unknown emails, and mails only the known one', async () => {
      const known = await h.createUser();
      const unknown = `${uniqueName('nobody')}@example.com`;
      const a = await h.client().post(h.api('/auth/password-reset/request'), { email: known.user.email.toUpperCase() });
      const b = await h.client().post(h.api('/auth/password-reset/request'), { email: unknown });
      expect(a.status).to.equal(202);
      expect(b.status).to.equal(202);
      expect(a.body).to.deep.equal(b.body);
      expect(a.body.message).to.be.a('string');
      await mailTo(known.user.email, 'password_reset');
      await h.core.mail.flush();
      expect(h.outbox.to(unknown)).to.deep.equal([]);
    });

    it('refuses a fourth request for one email within the hour with 429, whatever the client', async () => {
      const email = `${uniqueName('often')}@example.com`;
      for (let i = 0; i < 3; i += 1) expect((await h.client().post(h.api('/auth/password-reset/request'), { email })).status).to.equal(202);
      expectError(await h.client().post(h.api('/auth/password-reset/request'), { email }), 429, 'rate_limit_error');
    });

    it('answers 422 to a malformed email', async () => {
      expectValidation(await h.client().post(h.api('/auth/password-reset/request'), { email: 'nope' }), ['body.email']);
    });
  });

  describe('POST /auth/password-reset/confirm', () => {
    it('sets the password, ends every session, mails a notice, and spends the token', async () => {
      const user = await h.signIn({ verified: false });
      await h.client().post(h.api('/auth/password-reset/request'), { email: user.user.email }).expect(202);
      const token = tokenOf(await mailTo(user.user.email, 'password_reset'));
      const res = await h.client().post(h.api('/auth/password-reset/confirm'), { token, new_password: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).to.equal(204);
      expectError(await user.client.get(h.api('/auth/me')), 401, 'authentication_error');
      expectError(await login(user, user.password), 401, 'authentication_error');
      const fresh = expectJson<{ access_token: string }>(await login(user, NEW_PASSWORD), 200);
      const me = await h.client().withToken(fresh.access_token).get(h.api('/auth/me'));
      expect(expectJson<UserBody>(me, 200).email_verified, 'the link proved the address').to.equal(true);
      expect((await mailTo(user.user.email, 'password_changed')).text).to.match(/reset/);
      expectError(await h.client().post(h.api('/auth/password-reset/confirm'), { token, new_password: 'another passphrase 8' }), 400, 'invalid_token');
    });

    it('honours only the newest link', async () => {
      const user = await h.createUser();
      const request = () => h.client().post(h.api('/auth/password-reset/request'), { email: user.user.email }).expect(202);
      await request();
      const first = tokenOf(await mailTo(user.user.email, 'password_reset'));
      await request();
      const second = tokenOf(await h.outbox.waitFor((m) => m.to === user.user.email && m.kind === 'password_reset' && tokenOf(m) !== first));
      expectError(await h.client().post(h.api('/auth/password-reset/confirm'), { token: first, new_password: NEW_PASSWORD }), 400, 'invalid_token');
      expect((await h.client().post(h.api('/auth/password-reset/confirm'), { token: second, new_password: NEW_PASSWORD })).status).to.equal(204);
    });

    it('answers 400 invalid_token to a made-up token and 422 to a common password', async () => {
      const bad = await h.client().post(h.api('/auth/password-reset/confirm'), { token: 'x'.repeat(43), new_password: NEW_PASSWORD });
      expectError(bad, 400, 'invalid_token');
      const common = await h.client().post(h.api('/auth/password-reset/confirm'), { token: 'x'.repeat(43), new_password: 'Password123' });
      const body = expectValidation(common, ['body.new_password']);
      expect(body.details[0]!.message).to.match(/common or breached/);
    });
  });

  describe('POST /auth/verify-email/request', () => {
    it('mails a fresh link (202) that replaces older ones; needs a token', async () => {
      const user = await h.signIn({ verified: false });
      expectError(await h.client().post(h.api('/auth/verify-email/request')), 401, 'authentication_error');
      expect((await user.client.post(h.api('/auth/verify-email/request'))).status).to.equal(202);
      const first = tokenOf(await mailTo(user.user.email, 'email_verification'));
      expect((await user.client.post(h.api('/auth/verify-email/request'))).status).to.equal(202);
      const second = tokenOf(await h.outbox.waitFor((m) => m.to === user.user.email && m.kind === 'email_verification' && tokenOf(m) !== first));
      expectError(await h.client().post(h.api('/auth/verify-email/confirm'), { token: first }), 400, 'invalid_token');
      expect((await h.client().post(h.api('/auth/verify-email/confirm'), { token: second })).status).to.equal(200);
    });
  });

  describe('POST /auth/change-password', () => {
    it('answers 401 to a wrong current password, else 204: other sessions end, this one stays, a notice goes out', async () => {
      const user = await h.signIn();
      const other = await h.tokenFor(user);
      const wrong = await user.client.post(h.api('/auth/change-password'), { current_password: 'not it at all', new_password: NEW_PASSWORD });
      expectError(wrong, 401, 'authentication_error');
      const res = await user.client.post(h.api('/auth/change-password'), { current_password: user.password, new_password: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).to.equal(204);
      expect((await user.client.get(h.api('/auth/me'))).status).to.equal(200);
      expectError(await h.client().withToken(other).get(h.api('/auth/me')), 401, 'authentication_error');
      expect((await login(user, NEW_PASSWORD)).status).to.equal(200);
      await mailTo(user.user.email, 'password_changed');
    });

    it('applies the password rule to the new password (422)', async () => {
      const user = await h.signIn();
      const res = await user.client.post(h.api('/auth/change-password'), { current_password: user.password, new_password: 'short' });
      expectValidation(res, ['body.new_password']);
    });
  });

  describe('PATCH /users/:id re-authentication', () => {
    let user: SignedInUser;
    before(async () => {
      user = await h.signIn();
    });

    it('answers 422 naming body.current_password when a user changes their own password without it', async () => {
      expectValidation(await user.client.patch(h.api(`/users/${user.user.id}`), { password: NEW_PASSWORD }), ['body.current_password']);
    });

    it('answers 401 to a wrong current password and changes nothing', async () => {
      const res = await user.client.patch(h.api(`/users/${user.user.id}`), { email: `${uniqueName('x')}@example.com`, current_password: 'wrong password' });
      expectError(res, 401, 'authentication_error');
      expect((await user.client.get(h.api('/auth/me'))).body.email).to.equal(user.user.email);
    });

    it('changes the email with the current password: unverified, a link to the new address, a notice to the old', async () => {
      const changer = await h.signIn();
      const email = `${uniqueName('moved')}@example.com`;
      const res = await changer.client.patch(h.api(`/users/${changer.user.id}`), { email, current_password: changer.password });
      expect(expectJson<UserBody>(res, 200)).to.include({ email, email_verified: false });
      const notice = await mailTo(changer.user.email, 'email_changed');
      expect(notice.text).to.include(email);
      const token = tokenOf(await mailTo(email, 'email_verification'));
      expect(expectJson<UserBody>(await h.client().post(h.api('/auth/verify-email/confirm'), { token }), 200).email_verified).to.equal(true);
    });

    it('lets a superuser set another user’s password without one, ending that user’s sessions', async () => {
      const admin = await h.signIn({ superuser: true });
      const target = await h.signIn();
      const res = await admin.client.patch(h.api(`/users/${target.user.id}`), { password: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expectError(await target.client.get(h.api('/auth/me')), 401, 'authentication_error');
      expect((await mailTo(target.user.email, 'password_changed')).text).to.match(/administrator/);
    });
  });
}

/** Account flows that need a core of their own: required verification, a veto, mail outages. */
export function accountDedicatedSuite(make: (overrides: Record<string, unknown>) => Harness): void {
  describe('EMAIL_VERIFICATION=required, a vetoed registration and a failing mailer', () => {
    const h = make({
      emailVerification: 'required',
      // The failing-mailer test's retries are warnings by design.
      logger: createConsoleLogger({ level: 'error' }),
      hooks: {
        'user.created': ({ user }: { user: { username: string } }) => {
          if (user.username.startsWith('veto')) throw new AppError('authorization_error', 'Registrations are closed');
        },
      },
    });
    before(() => h.start());
    after(() => h.stop());

    it('answers 403 email_not_verified after the password matched, and 200 once verified', async () => {
      const user = await h.createUser({ verified: false });
      const login = (password: string) => h.client().post(h.api('/auth/login'), { username: user.user.username, password });
      expectError(await login('not the password'), 401, 'authentication_error');
      expectError(await login(user.password), 403, 'email_not_verified');
      await h.core.services.account.requestEmailVerification({ user: user.user });
      const token = tokenOf(await h.outbox.waitFor((m) => m.to === user.user.email && m.kind === 'email_verification'));
      expect((await h.client().post(h.api('/auth/verify-email/confirm'), { token })).status).to.equal(200);
      expect((await login(user.password)).status).to.equal(200);
    });

    it('sends nothing for a registration a hook rolled back', async () => {
      const name = uniqueName('veto');
      const email = `${name}@example.com`;
      const res = await h.client().post(h.api('/auth/register'), { email, username: name, password: 'correct horse 1' });
      expectError(res, 403, 'authorization_error');
      await h.core.mail.flush();
      expect(h.outbox.to(email)).to.deep.equal([]);
    });

    it('answers the request when sending fails, and delivers the mail on a retry', async () => {
      const user = await h.signIn();
      h.outbox.failNext(2);
      await user.client.post(h.api('/auth/password-reset/request'), { email: user.user.email }).expect(202);
      const mail = await h.outbox.waitFor((m) => m.to === user.user.email && m.kind === 'password_reset');
      expect(mail.html).to.include('<a href=');
    });
  });
}
