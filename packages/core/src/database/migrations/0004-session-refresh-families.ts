import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

const COLUMNS = ['refresh_token_hash', 'previous_refresh_hash', 'refresh_generation', 'rotated_at', 'absolute_expires_at'];

/**
 * Sessions become refresh families (docs/guides/security.md "Tokens and sessions"): the hash
 * of the current refresh token, the hash of its predecessor and the time of the last
 * rotation (for the retry window), the rotation count (so a replayed token of any earlier
 * generation is recognised), and the absolute expiry. No index: every lookup is by primary key.
 *
 * Existing rows are ended explicitly: their access tokens carry no `typ` or `sid`, so no
 * request could use them any more, and they have no refresh token. Their absolute expiry is
 * set to their old expiry so the column means the same for every row.
 */
export const sessionRefreshFamilies: Migration = {
  name: '0004-session-refresh-families',
  async up({ queryInterface, transaction, tables }) {
    const add = (column: string, spec: Parameters<typeof queryInterface.addColumn>[2]) =>
      queryInterface.addColumn(tables.sessions, column, spec, { transaction });
    await add('refresh_token_hash', { type: DataTypes.STRING(64), allowNull: true });
    await add('previous_refresh_hash', { type: DataTypes.STRING(64), allowNull: true });
    await add('refresh_generation', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
    await add('rotated_at', { type: DataTypes.DATE, allowNull: true });
    await add('absolute_expires_at', { type: DataTypes.DATE, allowNull: true });
    await queryInterface.sequelize.query(
      `UPDATE ${tables.sql(tables.sessions)} SET absolute_expires_at = expires_at, is_active = :ended WHERE absolute_expires_at IS NULL`,
      { transaction, replacements: { ended: false } },
    );
  },
  async down({ queryInterface, transaction, tables }) {
    // Plain DROP COLUMN (PostgreSQL, SQLite ≥ 3.35): Sequelize's SQLite removeColumn copies
    // the table, which is needless here. None of these columns is indexed or constrained.
    for (const column of [...COLUMNS].reverse()) {
      await queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.sessions)} DROP COLUMN ${column}`, { transaction });
    }
  },
};
