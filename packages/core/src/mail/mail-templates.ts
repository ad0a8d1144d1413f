/**
 * The mails the core sends, one template per kind (docs/guides/security.md "Mail
 * templates"). A host replaces any of them with `createCore({ mail: { templates } })`; each
 * template turns its kind's data into a subject, a plain-text body and an HTML body.
 */

/** What every template gets. */
interface BaseData {
  /** `APP_NAME`. */
  app_name: string;
  username: string;
  /** The address the mail goes to. */
  email: string;
}

/** The data of each kind of mail. */
export interface MailTemplateData {
  /** A password-reset link (valid `expires_minutes`). */
  password_reset: BaseData & { link: string; token: string; expires_minutes: number };
  /** A link verifying `email` (valid `expires_hours`). */
  email_verification: BaseData & { link: string; token: string; expires_hours: number };
  /** Notice: the password was changed (`changed`), reset through a mail link (`reset`), or set by an admin (`admin`). */
  password_changed: BaseData & { reason: 'changed' | 'reset' | 'admin' };
  /** Notice to the OLD address: the account's email is now `new_email`. */
  email_changed: BaseData & { new_email: string };
}

export type MailKind = keyof MailTemplateData;

/** A rendered mail, before it gets its recipient. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Helpers a template may use: `html` escapes every interpolated value. */
export interface TemplateHelpers {
  escapeHtml(value: unknown): string;
  /** Tagged template: `html\`<p>Hello ${name}</p>\`` escapes `name`. */
  html(strings: TemplateStringsArray, ...values: unknown[]): string;
}

/** One kind's template. */
export type MailTemplate<K extends MailKind> = (data: MailTemplateData[K], helpers: TemplateHelpers) => RenderedMail;

/** What a host may override: any subset of the kinds. */
export type MailTemplateOverrides = { [K in MailKind]?: MailTemplate<K> };

/** Escapes `& < > " '` so an interpolated value can never become markup. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, part, index) => out + part + (index < values.length ? escapeHtml(values[index]) : ''), '');
}

const HELPERS: TemplateHelpers = Object.freeze({ escapeHtml, html });

const page = (body: string) => `<!doctype html><html><body style="font-family:sans-serif">${body}</body></html>`;

/** The core's own templates. */
export const DEFAULT_MAIL_TEMPLATES: { [K in MailKind]: MailTemplate<K> } = {
  password_reset: (d, h) => ({
    subject: `Reset your ${d.app_name} password`,
    text:
      `Hello ${d.username},\n\nSomeone asked to reset the password of your ${d.app_name} account. ` +
      `To choose a new password, open this link within ${d.expires_minutes} minutes:\n\n${d.link}\n\n` +
      'If you did not ask for this, ignore this mail: your password stays as it is.\n',
    html: page(
      h.html`<p>Hello ${d.username},</p><p>Someone asked to reset the password of your ${d.app_name} account. ` +
        h.html`To choose a new password, open this link within ${d.expires_minutes} minutes:</p>` +
        h.html`<p><a href="${d.link}">Reset my password</a></p>` +
        '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
    ),
  }),
  email_verification: (d, h) => ({
    subject: `Confirm your email address for ${d.app_name}`,
    text:
      `Hello ${d.username},\n\nPlease confirm that ${d.email} is your address by opening this link ` +
      `within ${d.expires_hours} hours:\n\n${d.link}\n`,
    html: page(
      h.html`<p>Hello ${d.username},</p><p>Please confirm that ${d.email} is your address by opening this link ` +
        h.html`within ${d.expires_hours} hours:</p><p><a href="${d.link}">Confirm my address</a></p>`,
    ),
  }),
  password_changed: (d, h) => {
    const how =
      d.reason === 'reset' ? 'was reset through a password-reset link' : d.reason === 'admin' ? 'was changed by an administrator' : 'was changed';
    const advice = 'If this was not you, reset your password at once and contact us.';
    return {
      subject: `Your ${d.app_name} password was changed`,
      text: `Hello ${d.username},\n\nThe password of your ${d.app_name} account ${how}. Other sessions were signed out.\n\n${advice}\n`,
      html: page(h.html`<p>Hello ${d.username},</p><p>The password of your ${d.app_name} account ${how}. Other sessions were signed out.</p><p>${advice}</p>`),
    };
  },
  email_changed: (d, h) => {
    const advice = 'If this was not you, reset your password at once and contact us.';
    return {
      subject: `Your ${d.app_name} email address was changed`,
      text: `Hello ${d.username},\n\nThe email address of your ${d.app_name} account was changed from ${d.email} to ${d.new_email}.\n\n${advice}\n`,
      html: page(
        h.html`<p>Hello ${d.username},</p><p>The email address of your ${d.app_name} account was changed from ${d.email} to ${d.new_email}.</p><p>${advice}</p>`,
      ),
    };
  },
};

/** Renders the mails of one core: its overrides, else the defaults. */
export class MailRenderer {
  constructor(private readonly overrides: MailTemplateOverrides = {}) {}

  render<K extends MailKind>(kind: K, data: MailTemplateData[K]): RenderedMail {
    const template = (this.overrides[kind] ?? DEFAULT_MAIL_TEMPLATES[kind]) as MailTemplate<K>;
    const rendered = template(data, HELPERS);
    if (!rendered || typeof rendered.subject !== 'string' || typeof rendered.text !== 'string' || typeof rendered.html !== 'string') {
      throw new TypeError(`the ${kind} mail template must return { subject, text, html } as strings`);
    }
    // A subject is a header line: a line break there would start a header of its own.
    return { ...rendered, subject: rendered.subject.replace(/[\r\n]+/g, ' ') };
  }
}
