import { expect } from 'chai';
import { ExecutionContext } from '../context/execution-context';
import { isAppError, type AppError } from '../errors/app-error';
import { runWithDeadline } from './request-deadline';

/** A promise and the function that settles it, for work the test drives step by step. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('runWithDeadline', () => {
  const executionContext = new ExecutionContext();

  it('answers the timeout and aborts the work\'s signal when no commit has started', async () => {
    const hold = gate();
    let seen: AbortSignal | undefined;
    const outcome = await runWithDeadline<string>({
      executionContext,
      timeoutMs: 5,
      work: async (run) => {
        seen = run.signal;
        await hold.promise;
        return 'done';
      },
      onTimeout: (error: AppError) => `timeout: ${error.message}`,
    });
    expect(outcome).to.equal('timeout: Request exceeded 0.0s timeout');
    expect(seen?.aborted).to.equal(true);
    expect(isAppError(seen?.reason) && seen.reason.code).to.equal('request_timeout');
    hold.open();
  });

  it('answers the work\'s real outcome, however late, once a commit has started, and leaves its signal alone', async () => {
    const committed = gate();
    const hold = gate();
    let seen: AbortSignal | undefined;
    let timeouts = 0;
    const outcome = runWithDeadline<string>({
      executionContext,
      timeoutMs: 5,
      work: async (run) => {
        seen = run.signal;
        executionContext.commitStarted();
        committed.open();
        await hold.promise;
        return 'created';
      },
      onTimeout: () => {
        timeouts += 1;
        return 'timeout';
      },
    });
    await committed.promise;
    // A timer due later than the deadline's fires after it (Node runs timers in expiry order),
    // so the deadline has passed, and been declined, before the work finishes.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timeouts).to.equal(0);
    hold.open();
    expect(await outcome).to.equal('created');
    expect(seen?.aborted).to.equal(false);
  });

  it('aborts the work when the client\'s signal aborts', async () => {
    const client = new AbortController();
    const outcome = runWithDeadline<string>({
      executionContext,
      timeoutMs: 60_000,
      clientSignal: () => client.signal,
      work: ({ signal }) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve(`aborted: ${String(signal.reason)}`))),
      onTimeout: () => 'timeout',
    });
    client.abort('gone');
    expect(await outcome).to.equal('aborted: gone');
  });

  it('gives work that first asks for its signal after the client left a signal already aborted with the client\'s reason', async () => {
    const client = new AbortController();
    const asked = gate();
    const outcome = runWithDeadline<string>({
      executionContext,
      timeoutMs: 60_000,
      clientSignal: () => client.signal,
      work: async (run) => {
        await asked.promise;
        // The scope's signal (what a transaction reads) is the same one.
        const scoped = executionContext.signal;
        return `${run.signal.aborted} ${String(run.signal.reason)} ${scoped === run.signal}`;
      },
      onTimeout: () => 'timeout',
    });
    client.abort('gone');
    asked.open();
    expect(await outcome).to.equal('true gone true');
  });

  it('gives work that first asks for its signal after the deadline a signal already aborted with the timeout', async () => {
    const hold = gate();
    const late = gate<AbortSignal>();
    const outcome = await runWithDeadline<string>({
      executionContext,
      timeoutMs: 5,
      work: async (run) => {
        await hold.promise;
        late.open(run.signal);
        return 'done';
      },
      onTimeout: () => 'timeout',
    });
    expect(outcome).to.equal('timeout');
    hold.open();
    const signal = await late.promise;
    expect(signal.aborted).to.equal(true);
    expect(isAppError(signal.reason) && signal.reason.code).to.equal('request_timeout');
  });

  it('times out exactly the runs still pending at their deadline when runs that share a timeout finish out of order', async () => {
    const holds = Array.from({ length: 12 }, () => gate<string>());
    const outcomes = holds.map((hold, i) =>
      runWithDeadline<string>({ executionContext, timeoutMs: 30, work: () => hold.promise, onTimeout: () => `timeout ${i}` }),
    );
    // Every third run finishes at once, the others never do: the finished ones must not move
    // or cancel the deadline of those behind or before them.
    holds.forEach((hold, i) => i % 3 === 1 && hold.open(`done ${i}`));
    const expected = holds.map((_, i) => (i % 3 === 1 ? `done ${i}` : `timeout ${i}`));
    expect(await Promise.all(outcomes)).to.deep.equal(expected);
    // And the shared timer is re-armed for runs that come after the queue emptied.
    const late = gate<string>();
    const again = runWithDeadline<string>({ executionContext, timeoutMs: 30, work: () => late.promise, onTimeout: () => 'timeout again' });
    expect(await again).to.equal('timeout again');
    late.open('never read');
  });

  it('rejects with the work\'s own error before the deadline', async () => {
    const failure = new Error('boom');
    const error = await runWithDeadline({ executionContext, timeoutMs: 60_000, work: async () => Promise.reject(failure), onTimeout: () => 'timeout' }).catch((e: unknown) => e);
    expect(error).to.equal(failure);
  });
});
