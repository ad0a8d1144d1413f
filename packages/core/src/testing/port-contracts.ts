import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { Clock } from '../clock/clock';
import type { Logger } from '../logger/logger';

/**
 * The behaviour every {@link Logger} a host passes to `createCore` must show: the four
 * methods take a message, or fields and a message, and an `err` field holding an Error,
 * without throwing and without changing the fields the core hands them.
 *
 * @example
 * loggerContract('pino', () => pino({ enabled: false }));
 */
export function loggerContract(name: string, factory: () => Logger): void {
  describe(`${name} (Logger contract)`, () => {
    const levels = ['debug', 'info', 'warn', 'error'] as const;

    it('has debug, info, warn and error methods', () => {
      const logger = factory();
      for (const level of levels) expect(logger[level], level).to.be.a('function');
    });

    it('takes a message alone', () => {
      const logger = factory();
      for (const level of levels) expect(() => logger[level]('a message'), level).to.not.throw();
    });

    it('takes fields and a message, and an Error under err, leaving the fields as they were', () => {
      const logger = factory();
      for (const level of levels) {
        const err = new Error('boom');
        const fields = { request_id: 'req-1', code: 'internal_server_error', err };
        expect(() => logger[level](fields, 'request failed'), level).to.not.throw();
        expect(fields).to.deep.equal({ request_id: 'req-1', code: 'internal_server_error', err });
        expect(fields.err).to.equal(err);
      }
    });

    it('takes fields without a message', () => {
      const logger = factory();
      expect(() => logger.info({ event: 'ready' })).to.not.throw();
    });
  });
}

/**
 * The behaviour every {@link Clock} must show: `now()` is a valid Date, never before the
 * previous one, and a fresh object each time (mutating it cannot move the clock).
 *
 * @example
 * clockContract('system clock', () => systemClock);
 */
export function clockContract(name: string, factory: () => Clock): void {
  describe(`${name} (Clock contract)`, () => {
    it('answers a valid Date', () => {
      const now = factory().now();
      expect(now).to.be.instanceOf(Date);
      expect(Number.isNaN(now.getTime())).to.equal(false);
    });

    it('never goes backwards between two reads', () => {
      const clock = factory();
      let previous = clock.now().getTime();
      for (let i = 0; i < 1000; i += 1) {
        const current = clock.now().getTime();
        expect(current).to.be.at.least(previous);
        previous = current;
      }
    });

    it('hands out a fresh Date each time', () => {
      const clock = factory();
      const first = clock.now();
      const time = first.getTime();
      first.setTime(0);
      expect(clock.now().getTime()).to.be.at.least(time);
    });
  });
}
