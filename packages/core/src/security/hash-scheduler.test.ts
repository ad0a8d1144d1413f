import { getEventListeners } from 'node:events';
import { expect } from 'chai';
import { AppError, isAppError } from '../errors/app-error';
import { ManualRunner, rejection, settle } from '../testing/manual-runner';
import { HashScheduler } from './hash-scheduler';

describe('HashScheduler', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 0;
  });

  describe('fairness', () => {
    it('lets a single job of another group pass a 100-job group after one job per thread', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const finished: string[] = [];
      const track = (promise: Promise<string>) => promise.then((result) => finished.push(result));
      const bulk = Array.from({ length: 100 }, (_, i) => track(scheduler.schedule(`bulk-${i}`, { group: 'bulk' })));
      const login = track(scheduler.schedule('login', { group: 'login-request' }));
      const other = track(scheduler.schedule('other', { group: 'other-request' }));
      while (runner.running.length > 0) {
        runner.finish(runner.running[0]);
        await settle();
      }
      await Promise.all([...bulk, login, other]);
      // bulk-0 was already on the thread and bulk-1 held the first turn; then the newcomers.
      expect(finished.slice(0, 5)).to.deep.equal(['done:bulk-0', 'done:bulk-1', 'done:login', 'done:other', 'done:bulk-2']);
      expect(runner.started.filter((job) => job.startsWith('bulk'))).to.deep.equal(Array.from({ length: 100 }, (_, i) => `bulk-${i}`));
    });

    it('starts a newcomer after at most one job per busy thread plus one per group ahead, with two threads', async () => {
      const runner = new ManualRunner(2);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const jobs = Array.from({ length: 10 }, (_, i) => scheduler.schedule(`bulk-${i}`, { group: 'bulk' }));
      const login = scheduler.schedule('login', { group: 'login' });
      expect(runner.running).to.deep.equal(['bulk-0', 'bulk-1']);
      runner.finish('bulk-0');
      await settle();
      expect(runner.running).to.deep.equal(['bulk-1', 'bulk-2']);
      runner.finish('bulk-1');
      await settle();
      expect(runner.running).to.deep.equal(['bulk-2', 'login']);
      runner.finish('login');
      expect(await login).to.equal('done:login');
      await scheduler.close();
      await Promise.allSettled(jobs);
    });

    it('shares one group between calls that name no group and no signal', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const a = [scheduler.schedule('a-0'), scheduler.schedule('a-1'), scheduler.schedule('a-2')];
      const b = scheduler.schedule('b-0', { group: 'b' });
      expect(scheduler.stats).to.deep.equal({ queued: 3, running: 1, groups: 2, standing: false });
      while (runner.running.length > 0) {
        runner.finish(runner.running[0]);
        await settle();
      }
      await Promise.all([...a, b]);
      expect(runner.started).to.deep.equal(['a-0', 'a-1', 'b-0', 'a-2']);
    });

    it('groups calls by their signal when they name no group', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const bulkSignal = new AbortController().signal;
      const all = [0, 1, 2].map((i) => scheduler.schedule(`bulk-${i}`, { signal: bulkSignal }));
      all.push(scheduler.schedule('login', { signal: new AbortController().signal }));
      while (runner.running.length > 0) {
        runner.finish(runner.running[0]);
        await settle();
      }
      await Promise.all(all);
      expect(runner.started).to.deep.equal(['bulk-0', 'bulk-1', 'login', 'bulk-2']);
    });
  });

  describe('abort', () => {
    it('drops the queued jobs of an aborted signal before they reach a thread', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const blocker = scheduler.schedule('blocker', { group: 'other' });
      const controller = new AbortController();
      const reason = new AppError('request_timeout', 'Request exceeded 0.2s timeout');
      const doomed = Array.from({ length: 50 }, (_, i) => rejection(scheduler.schedule(`doomed-${i}`, { signal: controller.signal })));
      const after = scheduler.schedule('after', { group: 'later' });
      controller.abort(reason);
      for (const error of await Promise.all(doomed)) expect(error).to.equal(reason);
      expect(scheduler.stats).to.deep.equal({ queued: 1, running: 1, groups: 1, standing: false });
      runner.finish('blocker');
      await settle();
      runner.finish('after');
      expect([await blocker, await after]).to.deep.equal(['done:blocker', 'done:after']);
      expect(runner.started).to.deep.equal(['blocker', 'after']);
    });

    it('answers the caller of a running job at once and keeps its thread counted until it ends', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const controller = new AbortController();
      const running = rejection(scheduler.schedule('running', { signal: controller.signal }));
      const next = scheduler.schedule('next', { group: 'next' });
      controller.abort(new Error('client went away'));
      const error = await running;
      expect(isAppError(error) && error.code).to.equal('request_timeout');
      expect(runner.running).to.deep.equal(['running']);
      runner.finish('running');
      await settle();
      expect(runner.running).to.deep.equal(['next']);
      runner.finish('next');
      expect(await next).to.equal('done:next');
    });

    it('rejects at once, without queueing, when the signal is already aborted', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const reason = new AppError('request_timeout', 'late');
      expect(await rejection(scheduler.schedule('x', { signal: AbortSignal.abort(reason) }))).to.equal(reason);
      expect(runner.started).to.deep.equal([]);
    });

    it('adds one abort listener per signal however many jobs share it, and removes it when they end', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const controller = new AbortController();
      const jobs = Array.from({ length: 100 }, (_, i) => scheduler.schedule(`j-${i}`, { signal: controller.signal }));
      expect(getEventListeners(controller.signal, 'abort')).to.have.length(1);
      while (runner.running.length > 0) {
        runner.finish(runner.running[0]);
        await settle();
      }
      await Promise.all(jobs);
      expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
    });
  });


  describe('queue wait', () => {
    it('reports each job\'s time in the queue as it starts', async () => {
      const runner = new ManualRunner(1);
      const waits: number[] = [];
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now, onQueueWait: (seconds) => waits.push(seconds) });
      const first = scheduler.schedule('first');
      const second = scheduler.schedule('second');
      clock += 250;
      runner.finish('first');
      await settle();
      runner.finish('second');
      await Promise.all([first, second]);
      expect(waits).to.deep.equal([0, 0.25]);
    });
  });

  describe('close', () => {
    it('rejects queued and running calls and later calls, closes the runner, and is idempotent', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const calls = [scheduler.schedule('running'), scheduler.schedule('queued')];
      await scheduler.close();
      await scheduler.close();
      for (const error of await Promise.all(calls.map(rejection))) expect((error as Error).message).to.equal('Password hasher is closed');
      expect(((await rejection(scheduler.schedule('late'))) as Error).message).to.equal('Password hasher is closed');
      expect(runner.closed).to.equal(true);
      expect(runner.started).to.deep.equal(['running']);
    });

    it('passes a thread failure to its caller and goes on with the queue', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: Infinity, now });
      const failing = rejection(scheduler.schedule('failing'));
      const next = scheduler.schedule('next');
      runner.fail('failing', new Error('Password hashing thread died (exit code 3)'));
      expect(((await failing) as Error).message).to.match(/died/);
      await settle();
      runner.finish('next');
      expect(await next).to.equal('done:next');
    });
  });
});
