import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Mailer, MailMessage } from '../mail/mailer';

/** A message as it arrived wherever the mailer delivers (an outbox, a log, an SMTP server). */
export interface DeliveredMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What {@link mailerContract} runs against. */
export interface MailerUnderTest {
  mailer: Mailer;
  /** Every message delivered so far, oldest first (may wait for the transport to settle). */
  delivered(): Promise<DeliveredMail[]>;
  close?(): Promise<void>;
}

/** Options of {@link mailerContract}. */
export interface MailerContractOptions {
  /** A mailer of the same kind that cannot deliver (server down); when given, `send` must reject. */
  unreachable?: () => Promise<Mailer & { close?(): Promise<void> }>;
}

const message = (n: number, overrides: Partial<MailMessage> = {}): MailMessage => ({
  to: `contract${n}@example.com`,
  subject: `Réinitialisation n°${n} – ✓`,
  text: `Hello ${n},\nopen https://example.com/reset?token=tok${n}\n`,
  html: `<p>Hello ${n}, <a href="https://example.com/reset?token=tok${n}">reset</a></p>`,
  kind: 'password_reset',
  ...overrides,
});

/**
 * The behaviour every {@link Mailer} a host passes to `createCore({ mailer })` must show:
 * `send` resolves once the message is handed over, with its recipient, subject (any
 * Unicode), text and HTML intact; concurrent sends each arrive once; the message object is
 * left as it was; and, when the transport is down, `send` rejects (the core then retries).
 *
 * @example
 * mailerContract('MemoryOutbox', async () => {
 *   const outbox = new MemoryOutbox();
 *   return { mailer: outbox, delivered: async () => outbox.messages };
 * });
 */
export function mailerContract(name: string, factory: () => Promise<MailerUnderTest>, options: MailerContractOptions = {}): void {
  describe(`${name} (Mailer contract)`, () => {
    let subject: MailerUnderTest;
    before(async () => {
      subject = await factory();
    });
    after(() => subject?.close?.());

    const arrived = async (to: string) => (await subject.delivered()).filter((mail) => mail.to === to);

    it('delivers the recipient, a Unicode subject, the text and the HTML as sent', async () => {
      const sent = message(1);
      expect(await subject.mailer.send(sent)).to.equal(undefined);
      const [mail, ...more] = await arrived(sent.to);
      expect(more, 'delivered once').to.deep.equal([]);
      expect(mail).to.include({ to: sent.to, subject: sent.subject });
      expect(mail!.text.trim()).to.equal(sent.text.trim());
      expect(mail!.html.trim()).to.equal(sent.html.trim());
    });

    it('delivers concurrent sends once each', async () => {
      const batch = [2, 3, 4, 5].map((n) => message(n));
      await Promise.all(batch.map((mail) => subject.mailer.send(mail)));
      for (const sent of batch) expect(await arrived(sent.to), sent.to).to.have.length(1);
    });

    it('leaves the message object as it was', async () => {
      const sent = message(6);
      const copy = structuredClone(sent);
      await subject.mailer.send(sent);
      expect(sent).to.deep.equal(copy);
    });

    if (options.unreachable) {
      it('rejects when the message cannot be handed over', async function () {
        this.timeout(20_000);
        const down = await options.unreachable!();
        try {
          let failed = false;
          await down.send(message(7)).catch(() => (failed = true));
          expect(failed, 'send rejected').to.equal(true);
        } finally {
          await down.close?.();
        }
      });
    }
  });
}
