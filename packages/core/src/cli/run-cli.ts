import { randomBytes } from 'node:crypto';
import { loadConfigFromEnv } from '../config/env';
import { ConfigError } from '../config/options';
import { StartupError } from '../config/startup-error';
import type { Logger } from '../logger/logger';
import type { Core } from '../core';
import { isAppError } from '../errors/app-error';
import { AUDIT_USAGE, auditCommand } from './audit-command';
import { UsageError, type CliContext } from './cli-context';
import { loadConfigModule, mergeOptions } from './config-module';
import { CREATE_SUPERUSER_USAGE, createSuperuserCommand } from './create-superuser-command';
import { MIGRATE_USAGE, migrateCommand } from './migrate-command';
import { SEED_USAGE, seedCommand } from './seed-command';
import { SESSIONS_USAGE, sessionsCommand } from './sessions-command';
import { USERS_USAGE, usersCommand } from './users-command';

/** The text `app-core --help` prints. */
export const USAGE = `Usage: app-core [--config FILE] COMMAND
${MIGRATE_USAGE}
${CREATE_SUPERUSER_USAGE}
${SEED_USAGE}
${SESSIONS_USAGE}
${USERS_USAGE}
${AUDIT_USAGE}

The database and every other setting come from the environment (DATABASE_URL, BCRYPT_ROUNDS,
…), exactly as the server reads them. A config module (--config FILE, or app-core.config.js,
.mjs, .cjs, .ts or .mts in the working directory) exports core options on top of them, such
as the host's own migrations and database.tablePrefix. Exit codes: 0 ok, 1 failure, 2 usage.`;

const COMMANDS: Record<string, (args: string[], context: CliContext) => Promise<void>> = {
  migrate: migrateCommand,
  'create-superuser': createSuperuserCommand,
  seed: seedCommand,
  sessions: sessionsCommand,
  users: usersCommand,
  audit: auditCommand,
};

/**
 * Opens a core for a CLI command from the environment and the config module (`--config`
 * FILE, or an `app-core.config.*` in `cwd`): no automatic migration, no first-superuser step
 * (the commands do those explicitly), no session purge timer, and a throwaway signing key
 * when none is set, because the CLI never issues tokens.
 */
export async function openCoreFromEnv(
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
  config: { explicit?: string; cwd?: string } = {},
): Promise<Core> {
  const { firstSuperuser: _ignored, ...fromEnv } = loadConfigFromEnv(env);
  const module = await loadConfigModule({ explicit: config.explicit, cwd: config.cwd ?? process.cwd(), env });
  const options = module ? mergeOptions(fromEnv, module.options) : fromEnv;
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
  // A command leaves any mail it causes in the outbox for the servers to send, and never
  // touches the outbox table before `migrate up` created it.
  return createCore({
    ...options,
    secretKey: options.secretKey ?? randomBytes(32).toString('hex'),
    migrate: false,
    sessionPurgeIntervalMinutes: 0,
    logger,
    mail: { ...options.mail, autoSend: false },
  });
}

/** One line for a failure: configuration and domain messages as they are. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `Configuration error: ${error.message}`;
  if (error instanceof StartupError) return error.message;
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
  const { configFile, rest } = takeConfigFlag(argv);
  const context: CliContext = {
    env,
    stdin: overrides.stdin ?? process.stdin,
    stdout: overrides.stdout ?? process.stdout,
    stderr,
    openCore: overrides.openCore ?? (() => openCoreFromEnv(env, stderr, { explicit: configFile })),
  };
  if (configFile === '') {
    stderr.write(`app-core: --config needs a file\nRun 'app-core --help' for usage.\n`);
    return 2;
  }
  const [command, ...args] = rest;
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

/** Takes `--config FILE` (or `--config=FILE`) out of argv, wherever it is; '' when FILE is missing. */
function takeConfigFlag(argv: string[]): { configFile?: string; rest: string[] } {
  const index = argv.findIndex((arg) => arg === '--config' || arg.startsWith('--config='));
  if (index < 0) return { rest: argv };
  const flag = argv[index] as string;
  const inline = flag.startsWith('--config=');
  const configFile = inline ? flag.slice('--config='.length) : (argv[index + 1] ?? '');
  const rest = [...argv.slice(0, index), ...argv.slice(index + (inline ? 1 : 2))];
  return { configFile, rest };
}
