import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * The `sessions` table of SPEC §3: one row per login, keyed by the JWT's `jti` (never the
 * token). Deleting a user deletes its sessions (ON DELETE CASCADE; SQLite enforces it
 * because every connection turns `foreign_keys` on).
 */
export const createSessions: Migration = {
  name: '0002-create-sessions',
  async up({ queryInterface, transaction }) {
    await queryInterface.createTable(
      'sessions',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        user_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
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
    await queryInterface.addIndex('sessions', ['jti'], { name: 'sessions_jti_unique', unique: true, transaction });
    await queryInterface.addIndex('sessions', ['user_id'], { name: 'sessions_user_id', transaction });
    await queryInterface.addIndex('sessions', ['expires_at'], { name: 'sessions_expires_at', transaction });
  },
  async down({ queryInterface, transaction }) {
    await queryInterface.dropTable('sessions', { transaction });
  },
};
