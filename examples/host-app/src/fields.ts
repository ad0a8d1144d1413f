// #region fields
import type { InferUserFields, UserFieldDefinitions } from '@app/core';

/** The host's field on every user: which tenant (customer organisation) the account belongs to. */
export const userFields = {
  tenant_id: {
    type: 'string',
    maxLength: 36,
    nullable: true, // accounts made before the field existed have none
    setBy: ['register', 'admin'], // chosen at sign-up, corrected by a superuser; never self-updated
    filterable: true, // GET /users?tenant_id=acme
    sortable: true,
    description: 'The tenant the account belongs to',
  },
} as const satisfies UserFieldDefinitions;

declare module '@app/core' {
  // Every `User` the core hands out (services, events, guards) now has `tenant_id: string | null`.
  interface UserExtensions extends InferUserFields<typeof userFields> {}
}
// #endregion fields
