/**
 * The example server: the core embedded in Express (or Koa or Fastify with HTTP_FRAMEWORK),
 * configured from the environment. `npm start` runs it; see docs/guides/embedding.md.
 */
import { createServer } from 'node:http';
import { ConfigError, createCore, loadConfigFromEnv, readPort, StartupError } from '@app/core';
import { createApp, readFramework, readTrustProxy } from './app';
import { createLogger, withRequestLog } from './request-log';
import { applyServerLimits } from './server-limits';
import { installGracefulShutdown } from './shutdown';
import { ensureFirstSuperuser } from './superuser';

const log = createLogger();

async function main(): Promise<void> {
  // Read every setting before opening anything, so bad configuration fails at once.
  const { firstSuperuser, ...options } = loadConfigFromEnv(process.env);
  const port = readPort(process.env);
  const app = { framework: readFramework(process.env), trustProxy: readTrustProxy(process.env) };

  const core = await createCore({ ...options, migrate: true, logger: log });
  await ensureFirstSuperuser(core, firstSuperuser, log);

  const server = createServer(withRequestLog(await createApp(core, app), log));
  applyServerLimits(server, core);
  server.on('error', (error) => {
    log.error({ err: error }, 'server error');
    void core.close().finally(() => process.exit(1));
  });
  // The core answers 504 at its request timeout, so in-flight requests are over by then.
  const graceMs = core.config.requestTimeoutMs + 1000;
  installGracefulShutdown(server, { close: () => core.close(), log, graceMs });
  server.listen(port, () => log.info({ port, ...app }, `listening on http://localhost:${port}`));
}

main().catch((error: unknown) => {
  // Settings and an unusable database are the operator's to fix: one line, no stack.
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`Startup error: ${error.message}\n`);
  } else {
    log.error({ err: error }, 'failed to start');
  }
  process.exit(1);
});
