import { QueryTypes } from 'sequelize';
import { createUserFields } from '../../domain/user-fields';
import type { Migration, MigrationContext } from './migration';

/** The name of a field's trigram index, before the table prefix. */
export const trigramIndexName = (field: string) => `users_${field}_trgm`;

/**
 * The schema holding pg_trgm's GIN operator class, or undefined when the extension is not
 * installed. Looked up rather than assumed, so the index names it even when the extension
 * lives outside the connection's search_path (e.g. beside a configured `database.schema`).
 */
async function trigramOperatorSchema({ queryInterface, transaction }: MigrationContext): Promise<string | undefined> {
  const rows = await queryInterface.sequelize.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_opclass o
       JOIN pg_namespace n ON n.oid = o.opcnamespace JOIN pg_am a ON a.oid = o.opcmethod
      WHERE o.opcname = 'gin_trgm_ops' AND a.amname = 'gin' LIMIT 1`,
    { type: QueryTypes.SELECT, transaction },
  );
  return rows[0]?.schema;
}

/**
 * Installs pg_trgm when it is missing. The attempt runs under a savepoint: without the
 * privilege (CREATE on the database; pg_trgm is a trusted extension since PostgreSQL 13) the
 * error would otherwise abort the migration's whole transaction. Resolves with why it could
 * not, or undefined once the extension is there.
 */
async function installTrigram(context: MigrationContext): Promise<string | undefined> {
  const { queryInterface, transaction } = context;
  const query = (sql: string) => queryInterface.sequelize.query(sql, { transaction });
  await query('SAVEPOINT app_pg_trgm');
  try {
    await query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await query('RELEASE SAVEPOINT app_pg_trgm');
    return undefined;
  } catch (error) {
    await query('ROLLBACK TO SAVEPOINT app_pg_trgm');
    return (error as Error).message;
  }
}

/**
 * A PostgreSQL migration giving each named user column a `pg_trgm` GIN index, which serves
 * the list's `column ILIKE '%term%'` search (docs/reference/routes.md "List users") instead
 * of a scan of the whole table. When the extension is missing and cannot be created, it logs
 * one warning and succeeds without indexes: search still works, by scan. SQLite: nothing to
 * do (it has no trigram indexes; its search always scans). `down` drops the indexes and
 * leaves the extension, which other objects of the database may use.
 *
 * `CREATE INDEX IF NOT EXISTS`: an operator with a large table may build the same indexes
 * with `CREATE INDEX CONCURRENTLY` beforehand (docs/guides/migrations.md), and the
 * migration then only records itself.
 *
 * Exported for hosts whose own searchable fields should be indexed the same way.
 *
 * @example
 * createCore({ migrations: [trigramSearchIndexes('host-0002-nickname-trgm', ['nickname'])] });
 */
export function trigramSearchIndexes(name: string, fields: readonly string[]): Migration {
  for (const field of fields) {
    // The names reach SQL unquoted-safe: the registry only lets through [a-z0-9_].
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(field)) throw new Error(`trigramSearchIndexes: "${field}" is not a field name`);
  }
  return {
    name,
    async up(context) {
      const { queryInterface, transaction, tables, logger } = context;
      if (queryInterface.sequelize.getDialect() !== 'postgres' || fields.length === 0) return;
      let schema = await trigramOperatorSchema(context);
      if (schema === undefined) {
        const refused = await installTrigram(context);
        schema = refused === undefined ? await trigramOperatorSchema(context) : undefined;
        if (schema === undefined) {
          logger.warn(
            `Migration ${name}: pg_trgm is not installed and cannot be created (${refused ?? 'operator class gin_trgm_ops not found'}); ` +
              `user search works without trigram indexes, by scanning the table. Run CREATE EXTENSION pg_trgm as a privileged role, ` +
              `then migrate down to and up from ${name} to add them.`,
          );
          return;
        }
      }
      for (const field of fields) {
        await queryInterface.sequelize.query(
          `CREATE INDEX IF NOT EXISTS "${tables.index(trigramIndexName(field))}" ON ${tables.sql(tables.users)} ` +
            `USING gin ("${field}" "${schema}".gin_trgm_ops)`,
          { transaction },
        );
      }
    },
    async down({ queryInterface, transaction, tables }) {
      if (queryInterface.sequelize.getDialect() !== 'postgres') return;
      const qualify = (index: string) => (tables.schema ? `"${tables.schema}"."${index}"` : `"${index}"`);
      for (const field of fields) {
        await queryInterface.sequelize.query(`DROP INDEX IF EXISTS ${qualify(tables.index(trigramIndexName(field)))}`, { transaction });
      }
    },
  };
}

/** The core's searchable fields, from the registry (username, email, full name). */
export const searchTrigramIndexes: Migration = trigramSearchIndexes(
  '0007-search-trigram-indexes',
  createUserFields().searchable.map((field) => field.name),
);
