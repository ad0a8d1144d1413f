import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfigFromEnv } from '../config/env';
import { ConfigError } from '../config/options';
import type { Logger } from '../logger/logger';
import type { Core } from '../core';
import { isAppError } from '../errors/app-error';
import { AUDIT_USAGE, auditCommand } from './audit-command';
import { UsageError, type CliContext } from './cli-context';
import { CREATE_SUPERUSER_USAGE, createSuperuserCommand } from './create-superuser-command';
import { MIGRATE_USAGE, migrateCommand } from './migrate-command';
import { SEED_USAGE, seedCommand } from './seed-command';

/** The text `app-core --help` prints. */
export const USAGE = `Usage:
${MIGRATE_USAGE}
${CREATE_SUPERUSER_USAGE}
${SEED_USAGE}
${AUDIT_USAGE}

The database and every other setting come from the environment (DATABASE_URL, BCRYPT_ROUNDS,
…), exactly as the server reads them. Exit codes: 0 ok, 1 failure, 2 usage error.`;

const COMMANDS: Record<string, (args: string[], context: CliContext) => Promise<void>> = {
  migrate: migrateCommand,
  'create-superuser': createSuperuserCommand,
  seed: seedCommand,
  audit: auditCommand,
};

/**
 * Opens a core for a CLI command from the environment: no automatic migration and no
 * first-superuser step (the commands do those explicitly), and a throwaway signing key
 * when none is set, because the CLI never issues tokens.
 */
export async function openCoreFromEnv(env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): Promise<Core> {
  const { firstSuperuser: _ignored, ...options } = loadConfigFromEnv(env);
  const sqliteFile = /^sqlite:(?!:memory:)(.+)$/.exec(options.database?.url ?? 'sqlite:./data/app.sqlite')?.[1];
  if (sqliteFile) mkdirSync(dirname(sqliteFile), { recursive: true });
  const line = (level: string) =>
    ((fields: Record<string, unknown> | string, message?: string) =>
      stderr.write(`${level}: ${typeof fields === 'string' ? fields : (message ?? JSON.stringify(fields))}\n`)) as Logger['warn'];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined, // commands print their own summary
    warn: line('warning'),
    error: line('error'),
  };
  // Loaded on demand, so that --help and usage errors answer without loading the database stack.
  const { createCore } = await import('../create-core');
  return createCore({ ...options, secretKey: options.secretKey ?? randomBytes(32).toString('hex'), migrate: false, logger });
}

/** One line for a failure: configuration and domain messages as they are. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `Configuration error: ${error.message}`;
  if (isAppError(error)) {
    const details = error.details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
    return details.length > 0 ? `${error.message}: ${details.join('; ')}` : error.message;
  }
  if (error instanceof Error) return error.message.split('\n')[0];
  return String(error);
}

/**
 * Runs one CLI invocation and resolves with its exit code (0 ok, 1 failure, 2 usage); never
 * throws. `context` defaults to the process's streams and environment.
 *
 * @example
 * process.exitCode = await runCli(['migrate', 'status']);
 */
export async function runCli(argv: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const env = overrides.env ?? process.env;
  const stderr = overrides.stderr ?? process.stderr;
  const context: CliContext = {
    env,
    stdin: overrides.stdin ?? process.stdin,
    stdout: overrides.stdout ?? process.stdout,
    stderr,
    openCore: overrides.openCore ?? (() => openCoreFromEnv(env, stderr)),
  };
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? context.stderr : context.stdout).write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command '${command}'`);
    await run(args, context);
    return 0;
  } catch (error) {
    // parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS code.
    const parseError = error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseError) {
      context.stderr.write(`app-core: ${(error as Error).message}\nRun 'app-core --help' for usage.\n`);
      return 2;
    }
    context.stderr.write(`app-core: ${describeFailure(error)}\n`);
    return 1;
  }
}
