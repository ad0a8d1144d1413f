import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * Mail-driven account flows (docs/guides/security.md "Account lifecycle"):
 *
 * - `users.email_verified`, false until a verification link is confirmed;
 * - `account_tokens`: the tokens of password-reset and verification links, only as SHA-256
 *   hashes (the token itself is in the mail alone), single use (`used_at`), with their
 *   expiry and, for verification, the address they verify;
 * - `mail_outbox`: mails written in the transaction of the change that causes them and sent
 *   after commit, retried with a growing delay (`next_attempt_at`) until sent (then the row
 *   is deleted) or given up (then its bodies are blanked).
 */
export const accountLifecycle: Migration = {
  name: '0005-account-lifecycle',
  async up({ queryInterface, transaction, tables }) {
    await queryInterface.addColumn(tables.users, 'email_verified', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false }, { transaction });
    await queryInterface.createTable(
      tables.accountTokens,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        user_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: tables.users, key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        purpose: { type: DataTypes.STRING(32), allowNull: false },
        token_hash: { type: DataTypes.STRING(64), allowNull: false },
        email: { type: DataTypes.STRING(255), allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        used_at: { type: DataTypes.DATE, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex(tables.accountTokens, ['token_hash'], { name: tables.index('account_tokens_token_hash_unique'), unique: true, transaction });
    await queryInterface.addIndex(tables.accountTokens, ['user_id', 'purpose'], { name: tables.index('account_tokens_user_id_purpose'), transaction });
    await queryInterface.createTable(
      tables.mailOutbox,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        kind: { type: DataTypes.STRING(64), allowNull: false },
        recipient: { type: DataTypes.STRING(255), allowNull: false },
        subject: { type: DataTypes.TEXT, allowNull: false },
        text_body: { type: DataTypes.TEXT, allowNull: false },
        html_body: { type: DataTypes.TEXT, allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        next_attempt_at: { type: DataTypes.DATE, allowNull: false },
        last_error: { type: DataTypes.TEXT, allowNull: true },
        failed_at: { type: DataTypes.DATE, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex(tables.mailOutbox, ['failed_at', 'next_attempt_at'], { name: tables.index('mail_outbox_due'), transaction });
  },
  async down({ queryInterface, transaction, tables }) {
    await queryInterface.dropTable(tables.mailOutbox, { transaction });
    await queryInterface.dropTable(tables.accountTokens, { transaction });
    // Plain SQL: Sequelize's SQLite removeColumn rebuilds the table and loses the expression
    // index on lower(username); both databases drop an unindexed column in place.
    await queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.users)} DROP COLUMN email_verified`, { transaction });
  },
};
