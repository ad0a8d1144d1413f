import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The query plan of `sql` as one string, for tests that check an index is used. PostgreSQL is
 * told to avoid sequential and bitmap scans (inside a transaction of its own), since a test
 * table of a few rows would be scanned whole where a large one takes the index.
 */
export async function queryPlan(sequelize: Sequelize, sql: string): Promise<string> {
  if (sequelize.getDialect() !== 'postgres') {
    const rows = await sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { type: QueryTypes.SELECT });
    return rows.map((row) => row.detail).join('\n');
  }
  return sequelize.transaction(async (transaction) => {
    await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
    await sequelize.query('SET LOCAL enable_bitmapscan = off', { transaction });
    const rows = await sequelize.query<Record<string, string>>(`EXPLAIN ${sql}`, { type: QueryTypes.SELECT, transaction });
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}
