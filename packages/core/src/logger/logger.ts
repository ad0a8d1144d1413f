/**
 * One method of a {@link Logger}: a message, or structured fields and a message, as pino
 * (and most structured loggers) take them. `err` in the fields carries an Error.
 */
export interface LogMethod {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
}

/**
 * The logger port: a structured, pino-compatible object logger. Pass a pino logger (or a
 * child of one) as `createCore({ logger })`; the core writes its operational lines through
 * it (a missing secret, a Redis outage, an unexpected error with its request id).
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

type Level = keyof Logger;

/** `message {"field":…}` on one line; an `err` field is reduced to its name, message and stack. */
function format(level: Level, args: [Record<string, unknown> | string, string?]): string {
  const [first, second] = args;
  if (typeof first === 'string') return `${level}: ${first}`;
  const { err, ...rest } = first;
  const fields: Record<string, unknown> = { ...rest };
  if (err instanceof Error) fields.err = { name: err.name, message: err.message, stack: err.stack };
  else if (err !== undefined) fields.err = err;
  const text = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${level}: ${second ?? ''}${text}`;
}

function consoleMethod(level: Level, write: (line: string) => void): LogMethod {
  return ((...args: [Record<string, unknown> | string, string?]) => write(format(level, args))) as LogMethod;
}

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

/**
 * The default logger: one line per message, info and debug to stdout, warnings and errors to
 * stderr, from `level` up (default `info`).
 */
export function createConsoleLogger(options: { level?: Level } = {}): Logger {
  const from = LEVELS.indexOf(options.level ?? 'info');
  const ignore = (() => undefined) as LogMethod;
  const method = (level: Level, write: (line: string) => void) =>
    LEVELS.indexOf(level) >= from ? consoleMethod(level, write) : ignore;
  return {
    debug: method('debug', (line) => console.debug(line)),
    info: method('info', (line) => console.info(line)),
    warn: method('warn', (line) => console.warn(line)),
    error: method('error', (line) => console.error(line)),
  };
}

/** A logger that drops everything (tests, quiet scripts). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** True when `value` has the four methods of a {@link Logger}. */
export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    (['debug', 'info', 'warn', 'error'] as const).every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
  );
}
