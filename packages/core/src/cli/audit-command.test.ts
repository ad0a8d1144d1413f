import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import { readTrail } from '../audit/audit-test-kit';
import { createManualClock } from '../clock/clock';
import type { Core } from '../core';
import { createCore } from '../create-core';
import { silentLogger } from '../logger/logger';
import { testDatabaseTargets, type TestDatabase } from '../testing/test-databases';
import { runCli } from './run-cli';

const DAY_MS = 86_400_000;

async function run(argv: string[], openCore: () => Promise<Core>): Promise<{ code: number; stdout: string; stderr: string }> {
  const streams = { out: new PassThrough(), err: new PassThrough() };
  let stdout = '';
  let stderr = '';
  streams.out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  streams.err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await runCli(argv, { env: {}, stdin: Readable.from(['']), stdout: streams.out, stderr: streams.err, openCore });
  return { code, stdout, stderr };
}

describe('app-core audit purge', () => {
  let database: TestDatabase;
  const clock = createManualClock(new Date(Date.now() - 400 * DAY_MS));
  const open = () =>
    createCore({ environment: 'test', database: { url: database.url }, migrate: true, bcryptRounds: 4, clock, logger: silentLogger });

  before(async () => {
    database = await testDatabaseTargets()[0]!.create();
  });
  after(() => database.drop());

  it('deletes the events older than the retention, in batches, and keeps the rest', async () => {
    const core = await open();
    try {
      for (let i = 0; i < 7; i += 1) await core.services.users.register({ email: `old${i}@example.com`, username: `old${i}`, password: 'password-123' });
      clock.set(new Date(Date.now() - 100 * DAY_MS));
      await core.services.users.register({ email: 'mid@example.com', username: 'mid', password: 'password-123' });
      clock.set(new Date());
      await core.services.users.register({ email: 'new@example.com', username: 'new', password: 'password-123' });
    } finally {
      await core.close();
    }
    const purged = await run(['audit', 'purge', '--batch', '3'], open);
    expect(purged.stderr).to.equal('');
    expect(purged.code).to.equal(0);
    expect(purged.stdout).to.match(/^Purged 7 audit event\(s\) older than \d{4}-\d\d-\d\dT[\d:.]+Z \(365 days\) in \d+\.\ds\n$/);
    const narrower = await run(['audit', 'purge', '--days', '30'], open);
    expect(narrower.stdout).to.match(/^Purged 1 audit event\(s\) .* \(30 days\)/);
    const core2 = await open();
    try {
      expect((await readTrail(core2)).map((event) => event.details.source)).to.deep.equal(['register']);
    } finally {
      await core2.close();
    }
  });

  it('answers usage errors with exit code 2 without opening the database', async () => {
    const refuse = async (): Promise<Core> => {
      throw new Error('should not open');
    };
    for (const argv of [['audit'], ['audit', 'vacuum'], ['audit', 'purge', '--days', '0'], ['audit', 'purge', 'extra']]) {
      const result = await run(argv, refuse);
      expect(result.code, argv.join(' ')).to.equal(2);
      expect(result.stderr).to.match(/^app-core: /);
    }
  });
});
