import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type CoreOptions } from '../config/options';
import { UsageError } from './cli-context';

/** The files `app-core` looks for in the working directory when no `--config` is given, in this order. */
export const CONFIG_FILES = ['app-core.config.js', 'app-core.config.mjs', 'app-core.config.cjs', 'app-core.config.ts', 'app-core.config.mts'];

/**
 * What a config module exports (default export, or `module.exports`): core options, or a
 * function of the environment returning them. The options the host's own code passes to
 * `createCore` (`migrations`, `database.tablePrefix`, …), so the CLI migrates exactly what
 * the application runs (docs/guides/migrations.md).
 *
 * @example
 * // app-core.config.mjs
 * import { migrations } from './dist/migrations.js';
 * export default { database: { tablePrefix: 'auth_' }, migrations };
 */
export type ConfigModule = Partial<CoreOptions> | ((env: NodeJS.ProcessEnv) => Partial<CoreOptions> | Promise<Partial<CoreOptions>>);

/**
 * Loads the host's config module: `explicit` (the `--config` flag), or else the first of
 * {@link CONFIG_FILES} in `cwd`. Resolves with undefined when there is none.
 *
 * @throws UsageError when `--config` names a missing file; ConfigError when the module
 *   cannot be loaded or exports something other than options.
 */
export async function loadConfigModule(options: {
  explicit?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}): Promise<{ file: string; options: Partial<CoreOptions> } | undefined> {
  const file = options.explicit
    ? resolve(options.cwd, options.explicit)
    : CONFIG_FILES.map((name) => resolve(options.cwd, name)).find((candidate) => existsSync(candidate));
  if (!file) return undefined;
  if (!existsSync(file)) throw new UsageError(`--config: no file ${file}`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ERR_UNKNOWN_FILE_EXTENSION' ? ' (a TypeScript file needs a loader: node --import tsx …, or compile it to .js)' : '';
    throw new ConfigError(`cannot load ${file}${hint}: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
  const exported = (loaded.default ?? loaded) as ConfigModule;
  const value = typeof exported === 'function' ? await exported(options.env) : exported;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file} must export core options (an object) or a function returning them`);
  }
  return { file, options: value };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The environment's options with the module's on top: what the module sets wins, nested
 * groups (`database`, `redis`, `loginLockout`) merge key by key, arrays are replaced.
 */
export function mergeOptions(fromEnv: Partial<CoreOptions>, fromModule: Partial<CoreOptions>): Partial<CoreOptions> {
  const merged: Record<string, unknown> = { ...fromEnv };
  for (const [key, value] of Object.entries(fromModule)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return merged as Partial<CoreOptions>;
}
