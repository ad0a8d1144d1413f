import { expect } from 'chai';
import { describe, it } from 'mocha';
import { createManualClock } from '../clock/clock';
import { ExecutionContext } from '../context/execution-context';
import type { MailOutboxRepository, NewOutboxMail, OutboxMail } from '../repositories/mail-outbox-repository';
import { fakeUnitOfWork, testEventBus } from '../services/service-fakes';
import { createMemoryLogger } from '../testing/memory-logger';
import { MailDispatcher } from './mail-dispatcher';
import { MailRenderer } from './mail-templates';
import { MemoryOutbox } from './memory-outbox';

/** The outbox table in memory, with the repository's semantics. */
function memoryOutboxTable(): MailOutboxRepository & { rows: OutboxMail[] } {
  const rows: OutboxMail[] = [];
  let id = 0;
  return {
    rows,
    async add(mail: NewOutboxMail) {
      rows.push({ ...mail, id: (id += 1), attempts: 0, last_error: null, failed_at: null });
    },
    async due(now, limit) {
      return rows.filter((row) => !row.failed_at && row.next_attempt_at <= now).slice(0, limit).map((row) => ({ ...row }));
    },
    async claim(mailId, attempts, leaseUntil) {
      const row = rows.find((candidate) => candidate.id === mailId && candidate.attempts === attempts && !candidate.failed_at);
      if (!row) return false;
      Object.assign(row, { attempts: attempts + 1, next_attempt_at: leaseUntil });
      return true;
    },
    async delete(mailId) {
      rows.splice(rows.findIndex((row) => row.id === mailId), 1);
    },
    async retryAt(mailId, next, error) {
      Object.assign(rows.find((row) => row.id === mailId)!, { next_attempt_at: next, last_error: error });
    },
    async giveUp(mailId, now, error) {
      Object.assign(rows.find((row) => row.id === mailId)!, { failed_at: now, last_error: error, subject: '', text_body: '', html_body: '' });
    },
    async pendingCount() {
      return rows.filter((row) => !row.failed_at).length;
    },
  };
}

function setup(maxAttempts = 3) {
  const clock = createManualClock(new Date('2026-01-15T10:00:00.000Z'));
  const outbox = memoryOutboxTable();
  const mailer = new MemoryOutbox();
  const uow = fakeUnitOfWork();
  const events = testEventBus(uow);
  const logger = createMemoryLogger();
  const dispatcher = new MailDispatcher(
    { outbox, mailer, renderer: new MailRenderer(), uow, events, logger, clock, executionContext: new ExecutionContext() },
    { pollIntervalMs: 60_000, maxAttempts, retryDelayMs: 1000, autoSend: false },
  );
  const queue = () =>
    dispatcher.queue('password_changed', 'ada@example.com', { app_name: 'App', username: 'ada', email: 'ada@example.com', reason: 'changed' });
  return { clock, outbox, mailer, events, logger, dispatcher, queue };
}

describe('MailDispatcher', () => {
  it('sends a queued mail on drain and deletes its row, link and all', async () => {
    const { outbox, mailer, dispatcher, queue } = setup();
    await queue();
    expect(outbox.rows).to.have.length(1);
    expect(await dispatcher.drain()).to.equal(1);
    expect(mailer.messages.map((m) => [m.to, m.kind])).to.deep.equal([['ada@example.com', 'password_changed']]);
    expect(outbox.rows).to.deep.equal([]);
  });

  it('retries a failed send after a doubling delay, logging each failure, then delivers', async () => {
    const { clock, outbox, mailer, dispatcher, logger, queue } = setup(5);
    await queue();
    mailer.failNext(2);
    expect(await dispatcher.drain()).to.equal(0);
    expect(outbox.rows[0]).to.include({ attempts: 1, last_error: 'MemoryOutbox: simulated send failure' });
    expect(await dispatcher.drain(), 'not due before the delay').to.equal(0);
    clock.advance(1000);
    expect(await dispatcher.drain()).to.equal(0);
    clock.advance(1999);
    expect(await dispatcher.drain(), 'the second delay is twice the first').to.equal(0);
    clock.advance(1);
    expect(await dispatcher.drain()).to.equal(1);
    expect(mailer.messages).to.have.length(1);
    expect(logger.lines.filter((line) => line.level === 'warn')).to.have.length(2);
  });

  it('gives a mail up after its last attempt: bodies blanked, mail.failed emitted, error logged', async () => {
    const { clock, outbox, mailer, dispatcher, events, logger, queue } = setup(2);
    await queue();
    mailer.failNext(5);
    await dispatcher.drain();
    clock.advance(1000);
    await dispatcher.drain();
    expect(outbox.rows[0]).to.include({ attempts: 2, subject: '', text_body: '', html_body: '' });
    expect(outbox.rows[0]!.failed_at).to.be.instanceOf(Date);
    expect(events.emitted).to.deep.equal([
      { event: 'mail.failed', payload: { kind: 'password_changed', to: 'ada@example.com', attempts: 2, error: 'MemoryOutbox: simulated send failure' } },
    ]);
    expect(logger.lines.some((line) => line.level === 'error' && line.message.includes('giving up'))).to.equal(true);
    clock.advance(3_600_000);
    expect(await dispatcher.drain()).to.equal(0);
  });

  it('sends a mail only once when two drains race for it', async () => {
    const { mailer, dispatcher, queue } = setup();
    await queue();
    await Promise.all([dispatcher.drain(), dispatcher.drain()]);
    expect(mailer.messages).to.have.length(1);
  });
});
