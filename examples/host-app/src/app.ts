import express, { type Express } from 'express';
import { createCore, type Core, type CoreOptions, type Logger } from '@app/core';
import { createExpressGuard, createExpressRouter } from '@app/express';
import sharedOptions from '../app-core.config';
import { createHooks } from './hooks';
import { tenantMembers } from './routes';

/** Options of {@link createHostApp}. */
export interface HostAppOptions {
  /** The core's settings (`loadConfigFromEnv()`, or a test's database); the seams below are added to them. */
  core: CoreOptions;
  /** The host's own structured logger (pino or any object with pino's four methods). */
  logger: Logger;
  /** Email domains that may not sign up by themselves (lower-case, e.g. `mailinator.com`). */
  blockedDomains: readonly string[];
}

/**
 * The host application: its own Express app with the core mounted under `/auth`, shaped
 * through the core's seams (docs/guides/extending.md). The caller listens and closes.
 */
export async function createHostApp(options: HostAppOptions): Promise<{ app: Express; core: Core }> {
  // #region create-core
  const core = await createCore({
    ...options.core,
    ...sharedOptions, // app-core.config.ts: the table prefix, the field and the migration, as the CLI reads them
    database: { ...options.core.database, ...sharedOptions.database },
    migrate: true,
    hooks: createHooks(options.blockedDomains),
    routes: [tenantMembers],
    logger: options.logger,
  });
  // #endregion create-core

  // #region events
  // Listeners run after commit only: a registration the hook vetoed is never announced.
  core.events.on('user.created', ({ user, source }) => {
    options.logger.info({ user_id: user.id, username: user.username, tenant_id: user.tenant_id, source }, 'user created');
  });
  // #endregion events

  // #region mount
  const app = express();
  app.disable('x-powered-by');
  app.use('/auth', createExpressRouter(core)); // /auth/health, /auth/api/v1/..., /auth/api/v1/openapi.json
  // #endregion mount

  // #region guard
  // The host's own route, outside the API, behind the core's authentication.
  app.get('/dashboard', createExpressGuard(core), (req, res) => {
    const { user } = req.auth!; // the core's User: tenant_id is typed string | null
    res.json({ greeting: `Hello, ${user.full_name ?? user.username}`, tenant_id: user.tenant_id });
  });
  // #endregion guard
  return { app, core };
}
