import { DataTypes, Model, type DataType, type ModelAttributes, type ModelStatic, type Sequelize } from 'sequelize';
import type { UserField, UserFields } from '../domain/user-fields';
import { createTableNames, type TableNames } from '../database/table-names';

/** The model classes of one core, bound to that core's Sequelize instance. */
export interface Models {
  UserModel: ModelStatic<Model>;
  SessionModel: ModelStatic<Model>;
}

/** Inversify token of the core's {@link Models}. */
export const MODELS = Symbol.for('app.Models');
/** Inversify token of the core's Sequelize instance. */
export const SEQUELIZE = Symbol.for('app.Sequelize');

function dataType(field: UserField): DataType {
  switch (field.type) {
    case 'string':
      return DataTypes.STRING(field.maxLength);
    case 'text':
      return DataTypes.TEXT;
    case 'integer':
      return DataTypes.INTEGER;
    case 'boolean':
      return DataTypes.BOOLEAN;
    case 'datetime':
      return DataTypes.DATE;
  }
}

/** The `users` attributes: one per registry field (same name as the column), plus the hash. */
function userAttributes(fields: UserFields): ModelAttributes {
  const attributes: ModelAttributes = {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    hashed_password: { type: DataTypes.STRING(255), allowNull: false },
  };
  for (const field of fields.all) {
    if (field.name === 'id') continue;
    attributes[field.name] = {
      type: dataType(field),
      allowNull: field.nullable,
      ...(field.default !== undefined ? { defaultValue: field.default } : {}),
    };
  }
  return attributes;
}

/**
 * Declares fresh `users` and `sessions` models on `sequelize`. The user model's attributes
 * come from the registry, so a host's field is read and written like a core one; attribute
 * names are the column names (snake_case), as are the keys of the records the repositories
 * return. Every core gets models of its own, so two cores in one process never share
 * state. The schema itself comes from the migrations, never from `sync()`; the table names
 * (prefix, PostgreSQL schema) come from `tables`, the same names the migrations created.
 *
 * @example
 * const { UserModel } = createModels(sequelize, createUserFields());
 * const row = await UserModel.findByPk(1, { raw: true });
 */
export function createModels(
  sequelize: Sequelize,
  fields: UserFields,
  tables: TableNames = createTableNames(),
): Models {
  const UserModel = sequelize.define('User', userAttributes(fields), {
    tableName: tables.users.tableName,
    schema: tables.users.schema,
    timestamps: true,
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  });
  const SessionModel = sequelize.define(
    'Session',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: { type: DataTypes.INTEGER, allowNull: false },
      jti: { type: DataTypes.STRING(64), allowNull: false },
      ip_address: { type: DataTypes.STRING(45), allowNull: true },
      user_agent: { type: DataTypes.TEXT, allowNull: true },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      last_used_at: { type: DataTypes.DATE, allowNull: true },
      absolute_expires_at: { type: DataTypes.DATE, allowNull: true },
      refresh_token_hash: { type: DataTypes.STRING(64), allowNull: true },
      previous_refresh_hash: { type: DataTypes.STRING(64), allowNull: true },
      refresh_generation: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      rotated_at: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: tables.sessions.tableName, schema: tables.sessions.schema, timestamps: true, createdAt: 'created_at', updatedAt: false },
  );
  return { UserModel, SessionModel };
}
