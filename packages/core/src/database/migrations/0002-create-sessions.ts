import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * The `sessions` table: one row per login, keyed by the JWT's `jti` (never the token).
 * Deleting a user deletes its sessions (ON DELETE CASCADE; SQLite enforces it because every
 * connection turns `foreign_keys` on).
 */
export const createSessions: Migration = {
  name: '0002-create-sessions',
  async up({ queryInterface, transaction, tables }) {
    await queryInterface.createTable(
      tables.sessions,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        user_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: tables.users, key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        jti: { type: DataTypes.STRING(64), allowNull: false },
        ip_address: { type: DataTypes.STRING(45), allowNull: true },
        user_agent: { type: DataTypes.TEXT, allowNull: true },
        is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        last_used_at: { type: DataTypes.DATE, allowNull: true },
      },
      { transaction },
    );
    const index = (name: string, fields: string[], unique = false) =>
      queryInterface.addIndex(tables.sessions, fields, { name: tables.index(name), unique, transaction });
    await index('sessions_jti_unique', ['jti'], true);
    await index('sessions_user_id', ['user_id']);
    await index('sessions_expires_at', ['expires_at']);
  },
  async down({ queryInterface, transaction, tables }) {
    await queryInterface.dropTable(tables.sessions, { transaction });
  },
};
