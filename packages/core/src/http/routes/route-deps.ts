import type { Clock } from '../../clock/clock';
import type { UserFields } from '../../domain/user-fields';
import type { AccountSchemas } from '../../schemas/account';
import type { UserSchemas } from '../../schemas/user';

/** What the core's route files are built from: one core's prefix, registry, schemas and clock. */
export interface CoreRouteDeps {
  /** The API prefix, e.g. `/api/v1`. */
  prefix: string;
  /** The application's name, shown by the admin page. */
  appName: string;
  /** Most items of one bulk create. */
  bulkMax: number;
  fields: UserFields;
  /** The user's wire schemas, the same ones the services enforce. */
  schemas: UserSchemas;
  /** The account routes' bodies, the same ones the AccountService enforces. */
  account: AccountSchemas;
  clock: Clock;
  /** Also send the refresh token as a cookie scoped to the refresh route (`REFRESH_COOKIE`). */
  refreshCookie: boolean;
  /** The OpenAPI document for a mount path; built lazily because it describes the table holding this route. */
  openapi: (mountPath: string) => Record<string, unknown>;
}
