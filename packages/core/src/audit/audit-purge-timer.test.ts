import { expect } from 'chai';
import type { AuditPurgeOptions, AuditPurgeResult } from '../services/audit-service';
import { createMemoryLogger } from '../testing/memory-logger';
import { AuditPurgeTimer } from './audit-purge-timer';
import { gate, waitFor } from './audit-test-kit';

const result = (deleted: number): AuditPurgeResult => ({ deleted, cutoff: new Date('2026-01-01T00:00:00.000Z') });

describe('AuditPurgeTimer', () => {
  it('purges on every interval and logs what it deleted', async () => {
    const logger = createMemoryLogger();
    let calls = 0;
    const timer = new AuditPurgeTimer(async () => result(++calls), 5, logger);
    timer.start();
    await waitFor(() => calls >= 3);
    await timer.stop();
    const after = calls;
    expect(logger.messages('info')).to.include('audit events purged');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls, 'no purge after stop()').to.equal(after);
  });

  it('never runs two purges at once, and stop() waits for the running one after aborting it', async () => {
    const release = gate();
    const seen: AuditPurgeOptions[] = [];
    let finished = false;
    const timer = new AuditPurgeTimer(
      async (options) => {
        seen.push(options);
        await release.promise;
        finished = true;
        return result(0);
      },
      60_000,
      createMemoryLogger(),
    );
    const first = timer.tick();
    const second = timer.tick();
    expect(seen).to.have.length(1);
    const stopped = timer.stop();
    expect(seen[0]!.signal?.aborted).to.equal(true);
    release.open();
    await Promise.all([first, second, stopped]);
    expect(finished).to.equal(true);
    await timer.tick();
    expect(seen).to.have.length(1);
  });

  it('logs a failing purge and keeps going', async () => {
    const logger = createMemoryLogger();
    const timer = new AuditPurgeTimer(async () => Promise.reject(new Error('database gone')), 60_000, logger);
    await timer.tick();
    expect(logger.messages('error')).to.deep.equal(['audit purge failed']);
    await timer.stop();
  });
});
