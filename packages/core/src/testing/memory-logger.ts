import type { LogMethod, Logger } from '../logger/logger';

/** One line a {@link MemoryLogger} recorded. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A {@link Logger} that keeps every line, for assertions. */
export interface MemoryLogger extends Logger {
  readonly lines: LoggedLine[];
  /** The messages logged at `level`, in order. */
  messages(level: LoggedLine['level']): string[];
}

/**
 * A logger that records instead of printing; `echo` also prints warnings and errors.
 *
 * @example
 * const logger = createMemoryLogger();
 * const core = await createCore({ logger });
 * expect(logger.messages('warn')).to.include('SECRET_KEY is not set: …');
 */
export function createMemoryLogger(options: { echo?: boolean } = {}): MemoryLogger {
  const lines: LoggedLine[] = [];
  const method = (level: LoggedLine['level']): LogMethod =>
    ((first: Record<string, unknown> | string, second?: string) => {
      const line: LoggedLine =
        typeof first === 'string' ? { level, message: first, fields: {} } : { level, message: second ?? '', fields: first };
      lines.push(line);
      if (options.echo && (level === 'warn' || level === 'error')) console[level](line.message, line.fields);
    }) as LogMethod;
  return {
    lines,
    messages: (level) => lines.filter((line) => line.level === level).map((line) => line.message),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  };
}
