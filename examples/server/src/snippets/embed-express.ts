// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import express from 'express';
import { createCore, loadConfigFromEnv } from '@app/core';
import { createExpressGuard, createExpressRouter } from '@app/express';

const core = await createCore({ ...loadConfigFromEnv(), migrate: true });
const app = express();
app.set('trust proxy', 1); // only when behind one reverse proxy: rate limits key on req.ip
app.use('/auth', createExpressRouter(core)); // /auth/health and /auth/api/v1/...
app.get('/reports', createExpressGuard(core), (req, res) => {
  res.json({ for: req.auth!.user.username }); // your route, behind the core's authentication
});
const server = app.listen(8000);
process.on('SIGTERM', () => server.close(() => void core.close()));
