import Fastify from 'fastify';
import { runConformanceSuite } from '@app/core/testing';
import type { Core } from '@app/core';
import { corePlugin, createFastifyGuard, createFrameworkErrors } from '../src/index';

/**
 * The host the suite drives: trusts X-Forwarded-* (the suite gives each test its own client
 * IP), and lets the core answer URLs Fastify's router cannot decode (`/users/%zz`).
 */
export async function fastifyHost(core: Core, prefix = '') {
  const app = Fastify({ trustProxy: true, frameworkErrors: createFrameworkErrors(core, prefix) });
  await app.register(corePlugin, { core, prefix });
  await app.ready();
  return app.server;
}

runConformanceSuite({
  name: '@app/fastify',
  mount: (core) => fastifyHost(core),
  mountAt: (core, path) => fastifyHost(core, path),
  guarded: async (core, level) => {
    const app = Fastify();
    app.get('/whoami', { preHandler: createFastifyGuard(core, level) }, async (request) => {
      const auth = request.auth!;
      return { user_id: auth.user.id, username: auth.user.username, session_id: auth.session.id };
    });
    await app.ready();
    return app.server;
  },
});
