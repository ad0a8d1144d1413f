/**
 * The host app as a process: `npm run host-app` from the repository root (configured by the core's
 * environment variables, docs/reference/configuration.md, plus BLOCKED_EMAIL_DOMAINS).
 */
import { ConfigError, loadConfigFromEnv, readPort, StartupError } from '@app/core';
import { createHostApp } from './app';
import { createHostLogger } from './logger';

const { log, coreLogger } = createHostLogger();

async function main(): Promise<void> {
  const { firstSuperuser, ...options } = loadConfigFromEnv(process.env);
  const port = readPort(process.env);
  const blockedDomains = (process.env.BLOCKED_EMAIL_DOMAINS ?? 'mailinator.com').split(',').map((domain) => domain.trim()).filter(Boolean);
  const { app, core } = await createHostApp({ core: { ...options, firstSuperuser }, logger: coreLogger, blockedDomains });
  const server = app.listen(port, () => log.info({ port }, `listening on http://localhost:${port} (API under /auth)`));
  process.once('SIGTERM', () => server.close(() => void core.http.settled().then(() => core.close())));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) process.stderr.write(`${error.message}\n`);
  else log.error({ err: error }, 'failed to start');
  process.exit(1);
});
