import type { ModelStatic, Model } from 'sequelize';

/** A table as Sequelize's query interface and models take it: a name and, on PostgreSQL, a schema. */
export interface CoreTable {
  readonly tableName: string;
  readonly schema?: string;
}

/**
 * Every table and index name of one core, computed from `database.tablePrefix` and
 * `database.schema` (docs/reference/configuration.md). Migrations receive it in their
 * context, the models take their table names from it, and raw SQL quotes through it, so a
 * core can live beside a host's own `users` table.
 */
export interface TableNames {
  /** Prepended to every table and index name (`auth_` → `auth_users`); empty by default. */
  readonly prefix: string;
  /** The PostgreSQL schema of every table, or undefined for the connection's default. */
  readonly schema: string | undefined;
  readonly users: CoreTable;
  readonly sessions: CoreTable;
  /** Password-reset and verification link tokens (as hashes). */
  readonly accountTokens: CoreTable;
  /** Mails waiting to be sent. */
  readonly mailOutbox: CoreTable;
  /** The audit trail. */
  readonly auditEvents: CoreTable;
  /** Where the names of applied migrations are recorded. */
  readonly migrations: CoreTable;
  /** SQLite only: the one-row lease that serialises migration runs across processes. */
  readonly migrationLock: CoreTable;
  /** A core index name with the prefix, as `CREATE INDEX` and `addIndex` take it. */
  index(name: string): string;
  /** An index name as `DROP INDEX` and `removeIndex` take it: schema-qualified on PostgreSQL. */
  indexRef(name: string): string;
  /** The table as raw SQL writes it, double-quoted and schema-qualified (`"auth"."users"`). */
  sql(table: CoreTable): string;
}

/** The settings the names derive from, as in `CoreConfig.database`. */
export interface TableNameOptions {
  tablePrefix?: string;
  schema?: string;
}

// Both databases accept double-quoted identifiers; the option schema only lets through
// lower-case letters, digits and underscores, so quoting needs no escaping.
const quote = (identifier: string) => `"${identifier}"`;

/**
 * Builds the {@link TableNames} of a core. Without options the names are the historical
 * ones (`users`, `sessions`, `schema_migrations`), so existing databases keep working.
 *
 * @example
 * const tables = createTableNames({ tablePrefix: 'auth_', schema: 'identity' });
 * tables.sql(tables.users); // '"identity"."auth_users"'
 * tables.index('users_email_unique'); // 'auth_users_email_unique'
 */
export function createTableNames(options: TableNameOptions = {}): TableNames {
  const prefix = options.tablePrefix ?? '';
  const schema = options.schema;
  const table = (name: string): CoreTable =>
    Object.freeze(schema ? { tableName: prefix + name, schema } : { tableName: prefix + name });
  return Object.freeze({
    prefix,
    schema,
    users: table('users'),
    sessions: table('sessions'),
    accountTokens: table('account_tokens'),
    mailOutbox: table('mail_outbox'),
    auditEvents: table('audit_events'),
    migrations: table('schema_migrations'),
    migrationLock: table('schema_migrations_lock'),
    index: (name: string) => prefix + name,
    indexRef: (name: string) => (schema ? `${schema}.${prefix}${name}` : prefix + name),
    sql: (core: CoreTable) => (core.schema ? `${quote(core.schema)}.${quote(core.tableName)}` : quote(core.tableName)),
  });
}

/**
 * The table of a model as raw SQL writes it, from the model's own definition (which took it
 * from {@link TableNames}): the repositories' hand-written queries use this.
 */
export function quotedTableOf(model: ModelStatic<Model>): string {
  const name = model.getTableName();
  if (typeof name === 'string') return quote(name);
  return `${quote(name.schema)}.${quote(name.tableName)}`;
}

/** Inversify token of the core's {@link TableNames}, for repositories that write plain SQL. */
export const TABLE_NAMES = Symbol.for('app.TableNames');
