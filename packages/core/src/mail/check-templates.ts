import { ConfigError } from '../config/options';
import type { MailKind, MailRenderer, MailTemplateData } from './mail-templates';

/** Sample data of each kind, to try the templates with at start. */
const SAMPLES: { [K in MailKind]: MailTemplateData[K] } = {
  password_reset: { app_name: 'App', username: 'ada', email: 'ada@example.com', link: 'https://example.com/r?t=x', token: 'x', expires_minutes: 30 },
  email_verification: { app_name: 'App', username: 'ada', email: 'ada@example.com', link: 'https://example.com/v?t=x', token: 'x', expires_hours: 48 },
  password_changed: { app_name: 'App', username: 'ada', email: 'ada@example.com', reason: 'changed' },
  email_changed: { app_name: 'App', username: 'ada', email: 'ada@example.com', new_email: 'lovelace@example.com' },
};

/**
 * Renders every kind once with sample data, so a host template that throws or returns the
 * wrong shape stops the core at start instead of failing the change that sends the mail.
 *
 * @throws ConfigError naming the template.
 */
export function checkMailTemplates(renderer: MailRenderer): void {
  for (const kind of Object.keys(SAMPLES) as MailKind[]) {
    try {
      renderer.render(kind, SAMPLES[kind] as never);
    } catch (error) {
      throw new ConfigError(`Invalid option mail.templates.${kind}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
