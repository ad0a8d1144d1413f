// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import express from 'express';
import { createCore, loadConfigFromEnv } from '@app/core';
import { createExpressRouter } from '@app/express';

const core = await createCore({ ...loadConfigFromEnv(), migrate: true });
const app = express();
app.set('trust proxy', 1); // only when behind one reverse proxy: rate limits key on req.ip
app.use(createExpressRouter(core)); // /health and /api/v1/...
const server = app.listen(8000);
process.on('SIGTERM', () => server.close(() => void core.close()));
