import { createRequire } from 'node:module';
import { ConfigError } from '../config/options';

/** The drivers `@app/core` loads only when the configuration asks for them. */
export type OptionalPeer = 'pg' | 'sqlite3' | 'ioredis';

// Resolved from this package, so a driver installed by the host beside `@app/core` is found.
const requireFromHere = createRequire(import.meta.url);

/**
 * Loads an optional peer dependency (docs/reference/configuration.md, "Drivers"). `reason`
 * names the variable that asked for it, e.g. `DATABASE_URL is a postgres:// URL`.
 *
 * @throws ConfigError saying which package to install, e.g. `DATABASE_URL is a postgres://
 *   URL but the 'pg' package is not installed: npm install pg`.
 */
export function loadOptionalPeer<T>(name: OptionalPeer, reason: string): T {
  try {
    return requireFromHere(name) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = String((error as Error).message ?? error);
    if (code === 'MODULE_NOT_FOUND' && message.includes(`'${name}'`)) {
      throw new ConfigError(`${reason} but the '${name}' package is not installed: npm install ${name}`);
    }
    if (name === 'sqlite3') {
      // Installed, but without its native build (npm 11 skips install scripts unless allowed).
      throw new ConfigError(
        `${reason} but the 'sqlite3' package could not be loaded (${message.split('\n')[0]}): allow its install script ` +
          `("allowScripts": {"sqlite3": true} in package.json) and run npm rebuild sqlite3`,
      );
    }
    throw error;
  }
}

/** The settings {@link checkRedisDriver} reads, as in `CoreConfig`. */
export interface RedisDriverSettings {
  cacheEnabled: boolean;
  limiterEnabled: boolean;
  redis: { url?: string; cacheUrl?: string; limiterUrl?: string };
}

/**
 * Makes sure `ioredis` can be loaded when the cache or the limiter will use Redis, so that
 * `createCore` refuses at once instead of when the first store opens.
 *
 * @throws ConfigError naming the variable and the package, e.g. `REDIS_URL is set but the
 *   'ioredis' package is not installed: npm install ioredis`.
 */
export function checkRedisDriver(settings: RedisDriverSettings): void {
  const { url, cacheUrl, limiterUrl } = settings.redis;
  const variables = [
    settings.cacheEnabled && (cacheUrl ? 'CACHE_REDIS_URL' : url ? 'REDIS_URL' : undefined),
    settings.limiterEnabled && (limiterUrl ? 'LIMITER_REDIS_URL' : url ? 'REDIS_URL' : undefined),
  ].filter((variable): variable is string => typeof variable === 'string');
  if (variables.length > 0) loadOptionalPeer('ioredis', `${variables[0]} is set`);
}
