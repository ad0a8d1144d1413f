import { BelongsTo, Column, DataType, ForeignKey, Model, Table } from 'sequelize-typescript';
import type { Sequelize } from 'sequelize-typescript';
import type { ModelStatic } from 'sequelize';
import { createTableNames, type TableNames } from '../database/table-names';

/** Attributes of a `users` row as the model sees them (camelCase; columns are snake_case). */
export interface UserAttributes {
  id: number;
  email: string;
  username: string;
  hashedPassword: string;
  fullName: string | null;
  isActive: boolean;
  isSuperuser: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Attributes of a `sessions` row. */
export interface SessionAttributes {
  id: number;
  userId: number;
  jti: string;
  ipAddress: string | null;
  userAgent: string | null;
  isActive: boolean;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type UserCreation = Omit<UserAttributes, 'id' | 'createdAt' | 'updatedAt' | 'fullName' | 'isActive' | 'isSuperuser'> &
  Partial<Pick<UserAttributes, 'fullName' | 'isActive' | 'isSuperuser'>>;
type SessionCreation = Omit<SessionAttributes, 'id' | 'createdAt' | 'isActive' | 'lastUsedAt' | 'ipAddress' | 'userAgent'> &
  Partial<Pick<SessionAttributes, 'isActive' | 'lastUsedAt' | 'ipAddress' | 'userAgent'>>;

/** The instance type of the `users` model. */
export type UserInstance = Model<UserAttributes, UserCreation> & UserAttributes;
/** The instance type of the `sessions` model. */
export type SessionInstance = Model<SessionAttributes, SessionCreation> & SessionAttributes;

/** The model classes of one core, bound to that core's Sequelize instance. */
export interface Models {
  UserModel: ModelStatic<UserInstance>;
  SessionModel: ModelStatic<SessionInstance>;
}

/** Inversify token of the core's {@link Models}. */
export const MODELS = Symbol.for('app.Models');
/** Inversify token of the core's Sequelize instance. */
export const SEQUELIZE = Symbol.for('app.Sequelize');

/**
 * Declares fresh `users` and `sessions` model classes and registers them on `sequelize`.
 * A sequelize-typescript class is bound to the one Sequelize instance it was added to, so
 * every core gets classes of its own and two cores in one process never share state.
 * The schema itself comes from the migrations, never from `sync()`; the table names (prefix,
 * PostgreSQL schema) come from `tables`, the same names the migrations created.
 *
 * @example
 * const { UserModel } = createModels(sequelize);
 * const row = await UserModel.findByPk(1, { raw: true });
 */
export function createModels(sequelize: Sequelize, tables: TableNames = createTableNames()): Models {
  @Table({ tableName: tables.users.tableName, schema: tables.users.schema, modelName: 'User', underscored: true, timestamps: true })
  class UserModel extends Model<UserAttributes, UserCreation> implements UserAttributes {
    @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
    declare id: number;

    @Column({ type: DataType.STRING(255), allowNull: false })
    declare email: string;

    @Column({ type: DataType.STRING(50), allowNull: false })
    declare username: string;

    @Column({ type: DataType.STRING(255), allowNull: false })
    declare hashedPassword: string;

    @Column({ type: DataType.STRING(100), allowNull: true })
    declare fullName: string | null;

    @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
    declare isActive: boolean;

    @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
    declare isSuperuser: boolean;

    @Column({ type: DataType.DATE, allowNull: false })
    declare createdAt: Date;

    @Column({ type: DataType.DATE, allowNull: false })
    declare updatedAt: Date;
  }

  @Table({ tableName: tables.sessions.tableName, schema: tables.sessions.schema, modelName: 'Session', underscored: true, timestamps: true, updatedAt: false })
  class SessionModel extends Model<SessionAttributes, SessionCreation> implements SessionAttributes {
    @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
    declare id: number;

    @ForeignKey(() => UserModel)
    @Column({ type: DataType.INTEGER, allowNull: false, onDelete: 'CASCADE' })
    declare userId: number;

    @BelongsTo(() => UserModel, { onDelete: 'CASCADE' })
    declare user?: UserModel;

    @Column({ type: DataType.STRING(64), allowNull: false, unique: true })
    declare jti: string;

    @Column({ type: DataType.STRING(45), allowNull: true })
    declare ipAddress: string | null;

    @Column({ type: DataType.TEXT, allowNull: true })
    declare userAgent: string | null;

    @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
    declare isActive: boolean;

    @Column({ type: DataType.DATE, allowNull: false })
    declare expiresAt: Date;

    @Column({ type: DataType.DATE, allowNull: false })
    declare createdAt: Date;

    @Column({ type: DataType.DATE, allowNull: true })
    declare lastUsedAt: Date | null;
  }

  sequelize.addModels([UserModel, SessionModel]);
  return { UserModel, SessionModel } as unknown as Models;
}
