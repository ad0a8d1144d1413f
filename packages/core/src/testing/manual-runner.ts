import type { JobRunner } from '../security/hash-scheduler';

/** A runner whose jobs end only when the test says so, for the hash scheduler's tests. */
export class ManualRunner implements JobRunner<string, string> {
  readonly started: string[] = [];
  private readonly waiting = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  closed = false;

  constructor(readonly size: number) {}

  run(job: string): Promise<string> {
    this.started.push(job);
    return new Promise((resolve, reject) => this.waiting.set(job, { resolve, reject }));
  }

  finish(job: string): void {
    const entry = this.waiting.get(job);
    if (!entry) throw new Error(`${job} is not running`);
    this.waiting.delete(job);
    entry.resolve(`done:${job}`);
  }

  fail(job: string, error: Error): void {
    this.waiting.get(job)?.reject(error);
    this.waiting.delete(job);
  }

  /** The jobs on a thread now, oldest first. */
  get running(): string[] {
    return [...this.waiting.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Lets promise callbacks (the scheduler's `then`) run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The reason `promise` rejects with; throws if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
