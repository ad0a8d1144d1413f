import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * The `users` table and its indexes (docs/guides/migrations.md). The list query filters on
 * is_active or is_superuser and orders by created_at with id as tie-breaker, so those columns
 * lead composite indexes ending in (created_at, id): `WHERE is_active = ? ORDER BY created_at
 * DESC, id DESC LIMIT 20` is then an index range scan read backwards, with no sort, at any
 * table size. Each composite index also serves as the plain index on its leading column.
 */
export const createUsers: Migration = {
  name: '0001-create-users',
  async up({ queryInterface, transaction, tables }) {
    await queryInterface.createTable(
      tables.users,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        email: { type: DataTypes.STRING(255), allowNull: false },
        username: { type: DataTypes.STRING(50), allowNull: false },
        hashed_password: { type: DataTypes.STRING(255), allowNull: false },
        full_name: { type: DataTypes.STRING(100), allowNull: true },
        is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        is_superuser: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    const index = (name: string, fields: string[], unique = false) =>
      queryInterface.addIndex(tables.users, fields, { name: tables.index(name), unique, transaction });
    await index('users_email_unique', ['email'], true);
    await index('users_username_unique', ['username'], true);
    // Usernames keep the case they were typed in, but two differing only in case may not coexist.
    await queryInterface.sequelize.query(
      `CREATE UNIQUE INDEX "${tables.index('users_username_lower_unique')}" ON ${tables.sql(tables.users)} (lower(username))`,
      { transaction },
    );
    await index('users_created_at_id', ['created_at', 'id']);
    await index('users_is_active_created_at_id', ['is_active', 'created_at', 'id']);
    await index('users_is_superuser_created_at_id', ['is_superuser', 'created_at', 'id']);
  },
  async down({ queryInterface, transaction, tables }) {
    // Dropping the table drops its indexes on both databases.
    await queryInterface.dropTable(tables.users, { transaction });
  },
};
