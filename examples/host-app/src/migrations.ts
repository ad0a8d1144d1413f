// #region migrations
import type { Migration } from '@app/core';

/** The host's migrations: run after the core's, in the same locked run, recorded in the same table. */
export const migrations: Migration[] = [
  {
    name: 'host-0001-add-tenant-id', // stored in the migrations table: never rename it
    async up({ queryInterface, transaction, tables }) {
      const users = tables.sql(tables.users); // "auth_users", or "identity"."users" with a schema
      await queryInterface.sequelize.query(`ALTER TABLE ${users} ADD COLUMN tenant_id VARCHAR(36)`, { transaction });
      await queryInterface.addIndex(tables.users, ['tenant_id'], { name: tables.index('users_tenant_id'), transaction });
    },
    async down({ queryInterface, transaction, tables }) {
      // SQLite refuses to drop an indexed column: the index goes first.
      await queryInterface.removeIndex(tables.users, tables.indexRef('users_tenant_id'), { transaction });
      await queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.users)} DROP COLUMN tenant_id`, { transaction });
    },
  },
];
// #endregion migrations
