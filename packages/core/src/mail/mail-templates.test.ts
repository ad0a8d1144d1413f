import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ConfigError } from '../config/options';
import { checkMailTemplates } from './check-templates';
import { escapeHtml, MailRenderer } from './mail-templates';

const reset = { app_name: 'App', username: '<b>ada</b>', email: 'ada@example.com', link: 'https://x.test/r?token=a&b="c"', token: 't', expires_minutes: 30 };

describe('MailRenderer', () => {
  it('renders a text and an HTML body, escaping every value in the HTML', () => {
    const mail = new MailRenderer().render('password_reset', reset);
    expect(mail.subject).to.equal('Reset your App password');
    expect(mail.text).to.include('<b>ada</b>').and.include(reset.link).and.include('30 minutes');
    expect(mail.html).to.include('&#60;b&#62;ada&#60;/b&#62;').and.include('href="https://x.test/r?token=a&#38;b=&#34;c&#34;"');
    expect(mail.html).to.not.include('<b>ada');
  });

  it('uses a host override for its kind only, with the escaping helper, and keeps the subject on one line', () => {
    const renderer = new MailRenderer({
      password_reset: (d, h) => ({ subject: `Reset\r\nBcc: evil@example.com`, text: `go ${d.link}`, html: h.html`<a href="${d.link}">go</a>` }),
    });
    const mail = renderer.render('password_reset', reset);
    expect(mail.subject).to.equal('Reset Bcc: evil@example.com');
    expect(mail.html).to.equal('<a href="https://x.test/r?token=a&#38;b=&#34;c&#34;">go</a>');
    expect(renderer.render('password_changed', { app_name: 'App', username: 'ada', email: 'a@x.test', reason: 'reset' }).text).to.match(/reset through a password-reset link/);
  });

  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`&<>"'`)).to.equal('&#38;&#60;&#62;&#34;&#39;');
  });

  it('refuses at start a template that throws or returns the wrong shape, naming it', () => {
    expect(() => checkMailTemplates(new MailRenderer({ email_changed: () => ({ subject: 'x' }) as never }))).to.throw(
      ConfigError,
      /mail\.templates\.email_changed/,
    );
    expect(() => checkMailTemplates(new MailRenderer())).to.not.throw();
  });
});
