import { z } from 'zod';

const checkStatus = z.enum(['healthy', 'unhealthy', 'disabled']);
const backend = z.enum(['redis', 'memory', 'none']);

/** `GET /health` (docs/reference/routes.md "Health") (HTTP 503 when `status` is `unhealthy`). */
export const healthReportSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  app_name: z.string(),
  version: z.string(),
  checks: z.object({
    database: z.object({ status: checkStatus, provider: z.enum(['postgres', 'sqlite']) }),
    cache: z.object({ status: checkStatus, backend }),
    rate_limiter: z.object({ status: checkStatus, backend }),
  }),
});
