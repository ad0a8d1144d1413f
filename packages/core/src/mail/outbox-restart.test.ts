import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { createCore } from '../create-core';
import { silentLogger } from '../logger/logger';
import { testDatabaseTargets, type TestDatabase } from '../testing/test-databases';
import { MemoryOutbox } from './memory-outbox';

describe('the mail outbox across a restart (SQLite)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await testDatabaseTargets()[0]!.create();
  });
  after(() => database.drop());

  const open = (mailer: MemoryOutbox, autoSend: boolean) =>
    createCore({
      environment: 'test',
      database: { url: database.url },
      bcryptRounds: 4,
      migrate: true,
      logger: silentLogger,
      mailer,
      mail: { autoSend, pollIntervalMs: 50 },
    });

  it('sends a mail the first core committed but never sent, once the next core starts', async () => {
    const first = new MemoryOutbox();
    const stopped = await open(first, false);
    await stopped.services.users.register({ email: 'later@example.com', username: 'later', password: 'a later passphrase' });
    await stopped.close();
    expect(first.messages).to.deep.equal([]);

    const second = new MemoryOutbox();
    const next = await open(second, true);
    try {
      const mail = await second.waitFor((m) => m.to === 'later@example.com');
      expect(mail.kind).to.equal('email_verification');
    } finally {
      await next.close();
    }
  });
});
