/**
 * The clock port: where the core reads "now" (session expiry, "new users today", purges).
 * Pass one as `createCore({ clock })` to control time in a host's own tests.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol.for('app.Clock');

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that moves only when told to, for tests.
 *
 * @example
 * const clock = createManualClock(new Date('2026-01-15T10:00:00Z'));
 * clock.advance(60_000);
 */
export function createManualClock(start: Date = new Date()): Clock & { advance(ms: number): void; set(at: Date): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (at) => {
      current = at.getTime();
    },
  };
}

/** True when `value` has a `now()` method. */
export function isClock(value: unknown): value is Clock {
  return typeof value === 'object' && value !== null && typeof (value as Clock).now === 'function';
}
