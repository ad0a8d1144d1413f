import { z } from 'zod';
import { AppError, defineRoute } from '@app/core';

// #region define-route
/**
 * A route of the API itself: the core's pipeline authenticates the caller, applies the rate
 * limit (per user), validates the query, answers errors in the envelope and lists the route
 * in the OpenAPI document. Its path is relative to the API prefix: `/auth/api/v1/tenant/members`.
 */
export const tenantMembers = defineRoute({
  id: 'host.tenant.members',
  method: 'GET',
  path: '/tenant/members',
  auth: 'user',
  rateLimit: { limit: 60, windowMs: 60_000 },
  schemas: {
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      size: z.coerce.number().int().min(1).max(100).default(20),
    }),
    response: z.object({
      tenant_id: z.string(),
      total: z.number().int(),
      members: z.array(z.object({ id: z.number().int(), username: z.string(), full_name: z.string().nullable() })),
    }),
    successStatus: 200,
  },
  summary: "The members of the caller's tenant",
  tags: ['tenants'],
  errors: ['not_found_error'],
  handler: async ({ auth, query, services }) => {
    const tenant = auth.user.tenant_id; // typed by the field declaration: string | null
    if (tenant === null) throw new AppError('not_found_error', 'Your account belongs to no tenant');
    const page = await services.users.listUsers({ tenant_id: tenant, page: query.page, size: query.size, sort_by: 'username', sort_order: 'asc' });
    const members = page.items.map(({ id, username, full_name }) => ({ id, username, full_name }));
    return { body: { tenant_id: tenant, total: page.total, members } };
  },
});
// #endregion define-route
