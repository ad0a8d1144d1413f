import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { DeliveredMail } from './mailer-contract';

/** A real SMTP server on 127.0.0.1 that keeps what it receives (tests only; not exported). */
export interface TestSmtpServer {
  /** `smtp://test:secret@127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Parsed messages in arrival order. */
  readonly received: DeliveredMail[];
  /** Resolves with the first message matching `predicate`, waiting up to `timeoutMs`. */
  waitFor(predicate: (mail: DeliveredMail) => boolean, timeoutMs?: number): Promise<DeliveredMail>;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server (smtp-server, no TLS, AUTH PLAIN/LOGIN with test/secret) on an
 * ephemeral loopback port and parses every message it accepts (mailparser).
 */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: DeliveredMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'test' && auth.password === 'secret') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          received.push({
            to: to?.value[0]?.address ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://test:secret@127.0.0.1:${port}`,
    port,
    received,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms (${received.length} received)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
