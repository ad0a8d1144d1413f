import type { Core } from '../core';

/** What a command may touch: its streams, the environment and a way to open the core. */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Builds a core from the environment; the command closes it. */
  openCore(): Promise<Core>;
}

/** A command line the CLI cannot make sense of: exit code 2 and the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Opens the core, runs `work`, and always closes the core again. */
export async function withCore<T>(context: CliContext, work: (core: Core) => Promise<T>): Promise<T> {
  const core = await context.openCore();
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

/**
 * Parses a whole-number flag.
 *
 * @throws UsageError naming the flag when the value is not an integer within bounds.
 */
export function integerFlag(name: string, raw: string | undefined, bounds: { min: number; max: number; fallback?: number }): number {
  if (raw === undefined) {
    if (bounds.fallback === undefined) throw new UsageError(`--${name} is required`);
    return bounds.fallback;
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`--${name} must be an integer from ${bounds.min} to ${bounds.max}, got '${raw}'`);
  }
  return value;
}
