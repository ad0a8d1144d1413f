import { createServer } from 'node:net';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { createMemoryLogger } from '../testing/memory-logger';
import { mailerContract, type DeliveredMail } from '../testing/mailer-contract';
import { startTestSmtpServer } from '../testing/smtp-test-server';
import { LogMailer } from './log-mailer';
import { MemoryOutbox } from './memory-outbox';
import { SmtpMailer } from './smtp-mailer';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

mailerContract(
  'MemoryOutbox',
  async () => {
    const outbox = new MemoryOutbox();
    return { mailer: outbox, delivered: async () => outbox.messages };
  },
  {
    unreachable: async () => {
      const outbox = new MemoryOutbox();
      outbox.failNext();
      return outbox;
    },
  },
);

mailerContract('LogMailer', async () => {
  const logger = createMemoryLogger();
  return {
    mailer: new LogMailer(logger),
    delivered: async () => logger.lines.map((line) => line.fields.mail as DeliveredMail),
  };
});

mailerContract(
  'SmtpMailer against a real SMTP server',
  async () => {
    const smtp = await startTestSmtpServer();
    const mailer = new SmtpMailer({ url: smtp.url, from: 'Accounts <noreply@example.com>' });
    return {
      mailer,
      delivered: async () => smtp.received,
      close: async () => {
        await mailer.close();
        await smtp.close();
      },
    };
  },
  {
    unreachable: async () =>
      new SmtpMailer({ url: `smtp://test:secret@127.0.0.1:${await closedPort()}`, from: 'noreply@example.com', timeoutMs: 2000 }),
  },
);

describe('LogMailer', () => {
  it('logs no bodies when told so (production), only who, what and which kind', async () => {
    const logger = createMemoryLogger();
    await new LogMailer(logger, { bodies: false }).send({ to: 'a@example.com', subject: 'S', text: 'secret link', html: '<p>secret link</p>', kind: 'password_reset' });
    expect(logger.lines[0]!.fields.mail).to.deep.equal({ to: 'a@example.com', subject: 'S', kind: 'password_reset' });
    expect(JSON.stringify(logger.lines)).to.not.include('secret link');
  });
});

describe('SmtpMailer', () => {
  it('sends with the configured sender and refuses bad credentials', async () => {
    const smtp = await startTestSmtpServer();
    const good = new SmtpMailer({ url: smtp.url, from: 'Accounts <noreply@example.com>' });
    const bad = new SmtpMailer({ url: smtp.url.replace('secret', 'wrong'), from: 'noreply@example.com' });
    try {
      await good.send({ to: 'ada@example.com', subject: 'Hi', text: 'text', html: '<p>html</p>', kind: 'test' });
      expect(smtp.received.map((mail) => mail.to)).to.deep.equal(['ada@example.com']);
      let refused = false;
      await bad.send({ to: 'bob@example.com', subject: 'Hi', text: 'text', html: '<p>html</p>', kind: 'test' }).catch(() => (refused = true));
      expect(refused).to.equal(true);
    } finally {
      await good.close();
      await bad.close();
      await smtp.close();
    }
  });
});
