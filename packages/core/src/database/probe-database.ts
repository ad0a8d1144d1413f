import { statSync } from 'node:fs';
import type { Sequelize } from 'sequelize';
import { StartupError } from '../config/startup-error';
import { sqliteStorage } from './connection';

/** How long `createCore` waits for the database's first answer before giving up. */
export const PROBE_TIMEOUT_MS = 10_000;

interface DriverError {
  code?: string;
  message?: string;
}

/**
 * Runs `SELECT 1` against a freshly opened database, so that a bad `DATABASE_URL` fails at
 * start instead of at the first request: an unreachable server, a missing database, refused
 * credentials, a SQLite path that is a directory. Bounded by `timeoutMs`.
 *
 * @throws StartupError with one line naming DATABASE_URL and what is wrong, without secrets.
 */
export async function probeDatabase(sequelize: Sequelize, url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StartupError(`DATABASE_URL: ${target(url)} did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([sequelize.query('SELECT 1'), deadline]);
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`DATABASE_URL: ${describe(url, error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** `PostgreSQL at host:port` or `the SQLite file /abs/path`, never with credentials. */
function target(url: string): string {
  if (url.startsWith('sqlite:')) return `the SQLite file ${sqliteStorage(url)}`;
  const parsed = new URL(url);
  return `PostgreSQL at ${parsed.hostname}:${parsed.port || '5432'}`;
}

function describe(url: string, error: unknown): string {
  const original = ((error as { original?: DriverError }).original ?? error) as DriverError;
  const code = original.code ?? '';
  const detail = String(original.message ?? error).split('\n')[0];
  if (url.startsWith('sqlite:')) return describeSqlite(sqliteStorage(url), code, detail);
  const parsed = new URL(url);
  const where = target(url);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (is the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host '${parsed.hostname}' of ${where} cannot be resolved`;
    case 'ETIMEDOUT':
      return `${where} did not answer (connection timed out)`;
    case '3D000':
      return `the database "${database}" does not exist on ${where}`;
    case '28P01':
    case '28000':
      return `${where} refused the credentials of user "${decodeURIComponent(parsed.username)}"`;
    default:
      // pg reports its own connect timeout without a code.
      if (/timeout/i.test(detail)) return `${where} did not answer (connection timed out)`;
      return `cannot use ${where}: ${detail}`;
  }
}

function describeSqlite(file: string, code: string, detail: string): string {
  if (code === 'SQLITE_CANTOPEN') {
    const isDirectory = (() => {
      try {
        return statSync(file).isDirectory();
      } catch {
        return false;
      }
    })();
    if (isDirectory) return `${file} is a directory, not a SQLite file`;
    return `the SQLite file ${file} cannot be opened or created (check the folder's permissions)`;
  }
  if (code === 'SQLITE_NOTADB') return `${file} is not a SQLite database`;
  return `cannot use the SQLite file ${file}: ${detail}`;
}
