import { expect } from 'chai';
import sinon from 'sinon';
import { silentLogger } from '../logger/logger';
import { SessionPurge } from './session-purge';
import { createMemoryLogger } from '../testing/memory-logger';

describe('SessionPurge', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it('purges as of now and resolves with the count', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const purgeExpired = sinon.stub().resolves(4);
    const purge = new SessionPurge({ purgeExpired }, silentLogger, () => now);
    expect(await purge.run()).to.equal(4);
    expect(purgeExpired.calledOnceWithExactly(now)).to.equal(true);
  });

  it('joins a run in progress instead of starting a second', async () => {
    let finish!: (count: number) => void;
    const purgeExpired = sinon.stub().returns(new Promise<number>((resolve) => (finish = resolve)));
    const purge = new SessionPurge({ purgeExpired }, silentLogger);
    const both = Promise.all([purge.run(), purge.run()]);
    finish(2);
    expect(await both).to.deep.equal([2, 2]);
    expect(purgeExpired.callCount).to.equal(1);
  });

  it('runs on its interval until stopped, logging failures instead of throwing', async () => {
    clock = sinon.useFakeTimers();
    const purgeExpired = sinon.stub();
    purgeExpired.onFirstCall().resolves(1);
    purgeExpired.onSecondCall().rejects(new Error('database down'));
    purgeExpired.resolves(0);
    const logger = createMemoryLogger();
    const purge = new SessionPurge({ purgeExpired }, logger);
    purge.start(5);
    await clock.tickAsync(5 * 60_000 - 1);
    expect(purgeExpired.callCount).to.equal(0);
    await clock.tickAsync(1);
    expect(purgeExpired.callCount).to.equal(1);
    await clock.tickAsync(5 * 60_000);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => [line.message, (line.fields.err as Error).message])).to.deep.equal([
      ['session purge failed', 'database down'],
    ]);
    await purge.stop();
    await clock.tickAsync(60 * 60_000);
    expect(purgeExpired.callCount).to.equal(2);
  });

  it('never starts with an interval of 0', async () => {
    clock = sinon.useFakeTimers();
    const purgeExpired = sinon.stub().resolves(0);
    const purge = new SessionPurge({ purgeExpired }, silentLogger);
    purge.start(0);
    await clock.tickAsync(24 * 60 * 60_000);
    expect(purgeExpired.callCount).to.equal(0);
  });

  it('does not keep the process alive', () => {
    const purge = new SessionPurge({ purgeExpired: sinon.stub().resolves(0) }, silentLogger);
    purge.start(1);
    const timer = (purge as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).to.equal(false);
    void purge.stop();
  });
});
