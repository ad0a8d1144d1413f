import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';
import { createTableNames, type TableNames } from '../database/table-names';

/** The models of the mail-driven account flows, bound to one core's Sequelize instance. */
export interface AccountModels {
  AccountTokenModel: ModelStatic<Model>;
  MailOutboxModel: ModelStatic<Model>;
}

/** Inversify token of the core's {@link AccountModels}. */
export const ACCOUNT_MODELS = Symbol.for('app.AccountModels');

/**
 * Declares the `account_tokens` and `mail_outbox` models on `sequelize`; as with the user
 * and session models, the schema itself comes from the migrations (`0005-account-lifecycle`),
 * never from `sync()`, and the table names from `tables`.
 */
export function createAccountModels(
  sequelize: Sequelize,
  tables: TableNames = createTableNames(),
): AccountModels {
  const AccountTokenModel = sequelize.define(
    'AccountToken',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: { type: DataTypes.INTEGER, allowNull: false },
      purpose: { type: DataTypes.STRING(32), allowNull: false },
      token_hash: { type: DataTypes.STRING(64), allowNull: false },
      email: { type: DataTypes.STRING(255), allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      used_at: { type: DataTypes.DATE, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: tables.accountTokens.tableName, schema: tables.accountTokens.schema, timestamps: false },
  );
  const MailOutboxModel = sequelize.define(
    'MailOutbox',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
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
    { tableName: tables.mailOutbox.tableName, schema: tables.mailOutbox.schema, timestamps: false },
  );
  return { AccountTokenModel, MailOutboxModel };
}
