// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import Fastify from 'fastify';
import { createCore, loadConfigFromEnv } from '@app/core';
import { corePlugin, createFastifyGuard } from '@app/fastify';

const core = await createCore({ ...loadConfigFromEnv(), migrate: true });
const app = Fastify({ trustProxy: '127.0.0.1' }); // the reverse proxy whose X-Forwarded-For to trust
await app.register(corePlugin, { core, prefix: '/auth' }); // /auth/health and /auth/api/v1/...
app.get('/reports', { preHandler: createFastifyGuard(core) }, async (request) => ({ for: request.auth!.user.username }));
await app.listen({ port: 8000 });
process.on('SIGTERM', () => void app.close().then(() => core.close()));
