import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';

/** The models of the mail-driven account flows, bound to one core's Sequelize instance. */
export interface AccountModels {
  AccountTokenModel: ModelStatic<Model>;
  MailOutboxModel: ModelStatic<Model>;
}

/** The table names the account models use (the migration `0004-account-lifecycle` creates them). */
export interface AccountTables {
  accountTokens: string;
  mailOutbox: string;
}

/** Inversify token of the core's {@link AccountModels}. */
export const ACCOUNT_MODELS = Symbol.for('app.AccountModels');

/**
 * Declares the `account_tokens` and `mail_outbox` models on `sequelize`; as with the user
 * and session models, the schema itself comes from the migrations, never from `sync()`.
 */
export function createAccountModels(
  sequelize: Sequelize,
  tables: AccountTables = { accountTokens: 'account_tokens', mailOutbox: 'mail_outbox' },
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
    { tableName: tables.accountTokens, timestamps: false },
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
    { tableName: tables.mailOutbox, timestamps: false },
  );
  return { AccountTokenModel, MailOutboxModel };
}
