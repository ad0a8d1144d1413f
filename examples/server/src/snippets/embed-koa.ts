// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import Koa from 'koa';
import { createCore, loadConfigFromEnv } from '@app/core';
import { createKoaRouter } from '@app/koa';

const core = await createCore({ ...loadConfigFromEnv(), migrate: true });
const app = new Koa();
app.proxy = true; // only when behind a reverse proxy: rate limits key on ctx.ip
app.use(createKoaRouter(core).routes()); // /health and /api/v1/...
const server = app.listen(8000);
process.on('SIGTERM', () => server.close(() => void core.close()));
