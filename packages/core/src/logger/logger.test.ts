import { expect } from 'chai';
import sinon from 'sinon';
import { clockContract, loggerContract } from '../testing/port-contracts';
import { createMemoryLogger } from '../testing/memory-logger';
import { createManualClock, systemClock } from '../clock/clock';
import { createConsoleLogger, silentLogger } from './logger';

loggerContract('console logger', () => createConsoleLogger({ level: 'error' }));
loggerContract('silent logger', () => silentLogger);
loggerContract('memory logger', () => createMemoryLogger());
clockContract('system clock', () => systemClock);
clockContract('manual clock', () => createManualClock(new Date('2026-01-15T10:00:00Z')));

describe('createConsoleLogger', () => {
  afterEach(() => sinon.restore());

  it('writes one line per message from its level up, with fields as JSON and an error reduced to name and message', () => {
    const info = sinon.stub(console, 'info');
    const error = sinon.stub(console, 'error');
    const logger = createConsoleLogger({ level: 'info' });
    logger.debug('hidden');
    logger.info('ready');
    logger.error({ request_id: 'r1', err: new TypeError('bad') }, 'request failed');
    expect(info.args).to.deep.equal([['info: ready']]);
    const line = String(error.firstCall.args[0]);
    expect(line).to.match(/^error: request failed \{"request_id":"r1","err":\{"name":"TypeError","message":"bad"/);
  });

  it('drops what is below its level', () => {
    const warn = sinon.stub(console, 'warn');
    const logger = createConsoleLogger({ level: 'error' });
    logger.warn('quiet');
    expect(warn.called).to.equal(false);
  });
});

describe('createManualClock', () => {
  it('moves only when told to', () => {
    const clock = createManualClock(new Date('2026-01-15T10:00:00Z'));
    expect(clock.now().toISOString()).to.equal('2026-01-15T10:00:00.000Z');
    clock.advance(60_000);
    expect(clock.now().toISOString()).to.equal('2026-01-15T10:01:00.000Z');
  });
});
