// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import Koa from 'koa';
import { createCore, loadConfigFromEnv } from '@app/core';
import { createKoaGuard, createKoaRouter } from '@app/koa';

const core = await createCore({ ...loadConfigFromEnv(), migrate: true });
const app = new Koa();
app.proxy = true; // only when behind a reverse proxy: rate limits key on ctx.ip
app.use(createKoaRouter(core).prefix('/auth').routes()); // /auth/health and /auth/api/v1/...
app.use(createKoaGuard(core)); // everything after this needs a valid token
app.use((ctx) => {
  ctx.body = { for: ctx.state.auth!.user.username };
});
const server = app.listen(8000);
process.on('SIGTERM', () => server.close(() => void core.close()));
