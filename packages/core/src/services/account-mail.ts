import { inject, injectable } from 'inversify';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import type { User } from '../domain/types';
import type { EventBus } from '../events/event-bus';
import { MAIL_DISPATCHER, type MailDispatcher } from '../mail/mail-dispatcher';
import { ACCOUNT_TOKEN_REPOSITORY, type AccountTokenRepository } from '../repositories/account-token-repository';
import { issueToken, TOKEN_LIFETIME_MS } from './account-tokens';

/**
 * The account's mails: links (reset, verification) and notices after credential changes.
 * Every method writes (a token, an outbox row) and must run inside the unit of work of the
 * change that causes the mail, so a rolled-back change sends nothing.
 *
 * {@link AccountMail.install} hangs the automatic ones on the core's events as the core's
 * own hooks: registration sends a verification link; a password change or reset sends a
 * notice and kills outstanding reset links; an email change sends a notice to the OLD
 * address, a verification link to the new one, and kills links for the old address.
 */
@injectable()
export class AccountMail {
  constructor(
    @inject(ACCOUNT_TOKEN_REPOSITORY) private readonly tokens: AccountTokenRepository,
    @inject(MAIL_DISPATCHER) private readonly dispatcher: MailDispatcher,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A verification link for the user's current address, replacing older ones. */
  async verification(user: User): Promise<void> {
    const token = await issueToken(this.tokens, { userId: user.id, email: user.email, purpose: 'email_verification', now: this.clock.now() });
    await this.dispatcher.queue('email_verification', user.email, {
      ...this.base(user),
      token,
      link: this.link(this.config.mail.links.emailVerification, token),
      expires_hours: TOKEN_LIFETIME_MS.email_verification / 3_600_000,
    });
  }

  /** A password-reset link, replacing older ones. */
  async passwordReset(user: User): Promise<void> {
    const token = await issueToken(this.tokens, { userId: user.id, email: user.email, purpose: 'password_reset', now: this.clock.now() });
    await this.dispatcher.queue('password_reset', user.email, {
      ...this.base(user),
      token,
      link: this.link(this.config.mail.links.passwordReset, token),
      expires_minutes: TOKEN_LIFETIME_MS.password_reset / 60_000,
    });
  }

  /** Installs the automatic mails as hooks of the core's events. */
  install(events: EventBus): void {
    const sendsVerification = this.config.emailVerification !== 'off';
    events.hook('user.created', async ({ user, source }) => {
      if (source === 'register' && sendsVerification && !user.email_verified) await this.verification(user);
    });
    events.hook('password.changed', async ({ user, actor }) => {
      await this.tokens.deleteForUser(user.id, 'password_reset');
      const reason = actor && actor.id !== user.id ? 'admin' : 'changed';
      await this.dispatcher.queue('password_changed', user.email, { ...this.base(user), reason });
    });
    events.hook('password.reset', async ({ user }) => {
      await this.tokens.deleteForUser(user.id, 'password_reset');
      await this.dispatcher.queue('password_changed', user.email, { ...this.base(user), reason: 'reset' });
    });
    events.hook('email.changed', async ({ user, previous_email }) => {
      // Links mailed to the old address must not reset or verify the account any more.
      await this.tokens.deleteForUser(user.id, 'password_reset');
      await this.tokens.deleteForUser(user.id, 'email_verification');
      await this.dispatcher.queue('email_changed', previous_email, { ...this.base(user), email: previous_email, new_email: user.email });
      if (sendsVerification && !user.email_verified) await this.verification(user);
    });
  }

  private base(user: User) {
    return { app_name: this.config.appName, username: user.username, email: user.email };
  }

  private link(template: string, token: string): string {
    return template.split('{token}').join(encodeURIComponent(token));
  }
}
