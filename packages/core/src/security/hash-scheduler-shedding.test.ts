import { expect } from 'chai';
import { AppError, isAppError } from '../errors/app-error';
import { ManualRunner, rejection, settle } from '../testing/manual-runner';
import { HashScheduler } from './hash-scheduler';

// The scheduler's refusals: the limit, and the shorter one of a standing queue
// (docs/decisions.md, "A standing queue"). Fairness, abort and close are in hash-scheduler.test.ts.
describe('HashScheduler load shedding', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 0;
  });

  /** Runs one job of `runMs`, so the moving average of run times starts there. */
  async function teach(runner: ManualRunner, scheduler: HashScheduler<string, string>, runMs: number): Promise<void> {
    const warm = scheduler.schedule('warm', { group: 'warm' });
    clock += runMs;
    runner.finish('warm');
    await warm;
  }

  /** A scheduler on `threads` that has run one job of `runMs`. */
  async function taught(threads: number, maxWaitMs: number, runMs = 1000) {
    const runner = new ManualRunner(threads);
    const scheduler = new HashScheduler(runner, { maxWaitMs, now });
    await teach(runner, scheduler, runMs);
    return { runner, scheduler };
  }

  /** One job per new group, `spacingMs` apart, until one is refused (at most 20). */
  async function flood(scheduler: HashScheduler<string, string>, prefix: string, spacingMs = 0) {
    const admitted: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      const { queued, running } = scheduler.stats;
      const job = scheduler.schedule(`${prefix}-${i}`, { group: `${prefix}-${i}` });
      if (scheduler.stats.queued + scheduler.stats.running === queued + running) return { admitted, refused: await rejection(job) };
      admitted.push(job);
      clock += spacingMs;
    }
    return { admitted, refused: undefined };
  }

  /** One hash later: every running job ends after 1000 ms and the threads take the next ones. */
  async function step(runner: ManualRunner): Promise<void> {
    clock += 1000;
    for (const job of runner.running) runner.finish(job);
    await settle();
  }

    it('refuses a newcomer at once with 503 and retryAfterSeconds once the expected wait passes the limit', async () => {
      const { runner, scheduler } = await taught(2, 5000);
      // A burst that arrives within the interval (100 ms) is absorbed up to the limit.
      const { admitted, refused } = await flood(scheduler, 'flood', 10);
      expect(scheduler.stats.standing).to.equal(false);
      // Two threads busy, then each queued group is one more start ahead: 2 + 10 queued jobs
      // make a newcomer wait (2 + 10 − 2 + 1) × 1000 / 2 = 5500 ms > 5000.
      expect(admitted).to.have.length(12);
      expect(refused).to.be.instanceOf(AppError);
      const error = refused as AppError;
      expect([error.code, error.status, error.message]).to.deep.equal(['service_unavailable', 503, 'Password hashing is overloaded; try again shortly']);
      expect(error.retryAfterSeconds).to.equal(6);
      expect(runner.started).to.not.include('flood-12');
      await scheduler.close();
      await Promise.allSettled(admitted);
    });

    it('does not count a group against its own backlog, so a bulk create is admitted whole', async () => {
      const { runner, scheduler } = await taught(1, 1500);
      const bulk = Array.from({ length: 100 }, (_, i) => scheduler.schedule(`bulk-${i}`, { group: 'bulk' }));
      expect(scheduler.stats).to.deep.equal({ queued: 99, running: 1, groups: 1, standing: false });
      // Another request waits for the running job and the bulk's next turn: 2 × 1000 ms.
      expect(scheduler.expectedWaitMs('login')).to.equal(2000);
      const error = await rejection(scheduler.schedule('login', { group: 'login' }));
      expect(isAppError(error) && [error.code, error.retryAfterSeconds]).to.deep.equal(['service_unavailable', 2]);
      await scheduler.close();
      await Promise.allSettled(bulk);
    });

    it('reserve() refuses what schedule() would refuse, and its places count against later arrivals', async () => {
      const { runner, scheduler } = await taught(1, 1500);
      const running = scheduler.schedule('login-0', { group: 'login-0' });
      // A burst arrives before any of its hashes is queued: one running job plus one place
      // is 2 starts × 1000 ms = 2000 ms > 1500 for the third arrival, refused at the door.
      const release1 = scheduler.reserve('login-1');
      const refusal = (() => {
        try {
          scheduler.reserve('login-2');
        } catch (error) {
          return error;
        }
      })();
      expect(isAppError(refusal) && [refusal.code, refusal.retryAfterSeconds]).to.deep.equal(['service_unavailable', 2]);
      expect(scheduler.expectedWaitMs('login-1'), 'its own place does not count against it').to.equal(1000);
      // Its job takes the place: still two groups ahead of a newcomer, not three.
      const queued = scheduler.schedule('login-1', { group: 'login-1' });
      expect(scheduler.expectedWaitMs('login-2')).to.equal(2000);
      release1(); // idempotent, and a no-op once the job is queued
      expect(scheduler.expectedWaitMs('login-2')).to.equal(2000);
      // A place given back without a job (the login was locked out) frees it for others.
      runner.finish('login-0');
      await running;
      const release3 = scheduler.reserve('login-3');
      expect(scheduler.expectedWaitMs('login-4')).to.be.above(scheduler.expectedWaitMs('login-3'));
      release3();
      expect(scheduler.expectedWaitMs('login-4')).to.equal(scheduler.expectedWaitMs('login-3'));
      expect(scheduler.stats).to.deep.equal({ queued: 0, running: 1, groups: 0, standing: false });
      runner.finish('login-1');
      expect(await queued).to.equal('done:login-1');
      await scheduler.close();
    });

    it('uses the longest-running job as the estimate before any job has finished', async () => {
      const runner = new ManualRunner(1);
      const scheduler = new HashScheduler(runner, { maxWaitMs: 500, now });
      const first = scheduler.schedule('first', { group: 'a' });
      expect(scheduler.expectedWaitMs('b')).to.equal(0);
      const second = scheduler.schedule('second', { group: 'b' });
      clock += 600;
      expect(scheduler.expectedWaitMs('c')).to.equal(1200);
      const error = await rejection(scheduler.schedule('third', { group: 'c' }));
      expect(isAppError(error) && error.code).to.equal('service_unavailable');
      await scheduler.close();
      await Promise.allSettled([first, second]);
    });

    it('never refuses while a thread is free, even with a limit of 0', async () => {
      const { runner, scheduler } = await taught(2, 0, 50);
      const a = scheduler.schedule('a', { group: 'a' });
      const b = scheduler.schedule('b', { group: 'b' });
      expect(runner.running).to.deep.equal(['a', 'b']);
      const error = await rejection(scheduler.schedule('c', { group: 'c' }));
      expect(isAppError(error) && error.code).to.equal('service_unavailable');
      runner.finish('a');
      runner.finish('b');
      expect([await a, await b]).to.deep.equal(['done:a', 'done:b']);
    });

  describe('a standing queue', () => {
    // Two threads, one hash 1000 ms: one job start is 500 ms, the target is (2 threads + 1)
    // starts = 1500 ms, and the queue stands after 100 ms above it until the wait is 750 ms or less.
    async function standingQueue() {
      const { runner, scheduler } = await taught(2, 5000);
      const burst = await flood(scheduler, 'burst');
      expect(burst.admitted).to.have.length(12);
      await step(runner);
      return { runner, scheduler, burst };
    }

    it('refuses a newcomer at once once the wait stayed above the target for the interval, though the limit would admit it', async () => {
      const { scheduler, burst } = await standingQueue();
      // Both threads took their next job: 8 groups queued, 4500 ms, under the 5000 ms limit.
      expect(scheduler.expectedWaitMs('late')).to.equal(4500);
      expect(scheduler.stats).to.deep.equal({ queued: 8, running: 2, groups: 8, standing: true });
      const error = await rejection(scheduler.schedule('late', { group: 'late' }));
      expect(isAppError(error) && [error.code, error.status, error.retryAfterSeconds]).to.deep.equal(['service_unavailable', 503, 5]);
      expect(() => scheduler.reserve('door')).to.throw(AppError, 'Password hashing is overloaded');
      expect(scheduler.stats.queued).to.equal(8);
      await scheduler.close();
      await Promise.allSettled(burst.admitted);
    });

    it('admits up to the target while it stands, and gives the full limit back once the wait falls to half the target', async () => {
      const { runner, scheduler, burst } = await standingQueue();
      for (let i = 0; i < 3; i++) await step(runner);
      expect(scheduler.expectedWaitMs('within')).to.equal(1500);
      const within = scheduler.schedule('within', { group: 'within' });
      expect(scheduler.expectedWaitMs('over')).to.equal(2000);
      const error = await rejection(scheduler.schedule('over', { group: 'over' }));
      expect(isAppError(error) && [error.code, error.retryAfterSeconds]).to.deep.equal(['service_unavailable', 2]);
      await step(runner);
      // 1000 ms is under the target but above half of it: still standing.
      expect(scheduler.stats).to.deep.equal({ queued: 1, running: 2, groups: 1, standing: true });
      await step(runner);
      expect(scheduler.stats).to.deep.equal({ queued: 0, running: 1, groups: 0, standing: false });
      // A new burst is absorbed up to the limit again: the last one admitted waits 5000 ms.
      const again = await flood(scheduler, 'again');
      expect(again.admitted).to.have.length(11);
      expect(isAppError(again.refused) && again.refused.retryAfterSeconds).to.equal(6);
      await scheduler.close();
      await Promise.allSettled([...burst.admitted, within, ...again.admitted]);
    });

    it('keeps the word of reserve(): a place taken during the burst still queues its job once the queue stands', async () => {
      const { scheduler } = await taught(2, 5000);
      // A burst of logins takes places before their lookups: 12 places (10 starts × 500 ms ahead of the last).
      const places = Array.from({ length: 12 }, (_, i) => scheduler.reserve(`login-${i}`));
      expect(() => scheduler.reserve('login-12')).to.throw(AppError, 'Password hashing is overloaded');
      clock += 600; // the lookups took longer than the interval
      expect(scheduler.stats.standing).to.equal(true);
      const jobs = places.map((_, i) => scheduler.schedule(`login-${i}`, { group: `login-${i}` }));
      expect(scheduler.stats).to.deep.equal({ queued: 10, running: 2, groups: 10, standing: true });
      expect(() => scheduler.reserve('late')).to.throw(AppError, 'Password hashing is overloaded');
      await scheduler.close();
      await Promise.allSettled(jobs);
    });

    it('never forms behind a 100-hash bulk create: one login after another each waits for at most one bulk job', async () => {
      const { runner, scheduler } = await taught(2, 5000);
      const bulk = Array.from({ length: 100 }, (_, i) => scheduler.schedule(`bulk-${i}`, { group: 'bulk' }));
      const jobsAhead: number[] = [];
      let login: { name: string; startsBefore: number; done: boolean } | undefined;
      const nextLogin = () => {
        const current = { name: `login-${jobsAhead.length}`, startsBefore: runner.started.length, done: false };
        // A refused login is never done: its entry stays -1 and fails the last assertion.
        void scheduler.schedule(current.name, { group: current.name }).then(() => (current.done = true), () => undefined);
        jobsAhead.push(-1);
        login = current;
      };
      nextLogin();
      // The threads finish one job every 500 ms, the older first (each ran 1000 ms).
      while (runner.running.length > 0) {
        clock += 500;
        runner.finish(runner.running[0]!);
        await settle();
        expect(scheduler.stats.standing, `after ${runner.started.length} starts`).to.equal(false);
        const started = runner.started.indexOf(login!.name);
        if (started !== -1) jobsAhead[jobsAhead.length - 1] = started - login!.startsBefore;
        if (login!.done && runner.running.some((job) => job.startsWith('bulk'))) nextLogin();
      }
      expect(await Promise.all(bulk)).to.have.length(100);
      expect(jobsAhead.length).to.be.above(30);
      expect(jobsAhead.filter((ahead) => ahead < 0 || ahead > 1), 'logins that waited for more than one other job').to.deep.equal([]);
    });
  });
});
