import { inject, injectable } from 'inversify';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { NewSession, Session } from '../domain/types';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { quotedTableOf } from '../database/table-names';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { USER_FIELDS, type UserFields } from '../domain/user-fields';
import { MODELS, type Models } from '../models/create-models';
import { BaseRepository } from './base-repository';
import { toDate, toSession, toUser, type Row } from './row-mappers';
import type { RefreshableSession, SessionRepository, SessionRotation, SessionWithUser } from './session-repository';

const SESSION_COLUMNS = [
  'id', 'user_id', 'jti', 'ip_address', 'user_agent', 'is_active', 'expires_at', 'absolute_expires_at', 'created_at', 'last_used_at',
];
const REFRESH_COLUMNS = ['refresh_token_hash', 'previous_refresh_hash', 'refresh_generation', 'rotated_at'];

/**
 * A session joined to its user by primary key, only the columns needed; the user's columns
 * are the registry's, aliased `u_<name>`. `findActive` runs on every authenticated request:
 * one primary-key lookup and no write. The table names carry the configured prefix and
 * schema (database/table-names.ts).
 */
function sessionWithUserSql(
  fields: UserFields,
  tables: { sessions: string; users: string },
  options: { activeOnly: boolean; refresh: boolean },
): string {
  const sessionColumns = [...SESSION_COLUMNS, ...(options.refresh ? REFRESH_COLUMNS : [])].map((name) => `s.${name}`).join(', ');
  const userColumns = fields.all.map((field) => `u.${field.name} AS "u_${field.name}"`).join(', ');
  const active = options.activeOnly ? ' AND s.is_active = :yes AND s.expires_at > :now' : '';
  return `SELECT ${sessionColumns}, ${userColumns} FROM ${tables.sessions} s JOIN ${tables.users} u ON u.id = s.user_id WHERE s.id = :id${active}`;
}

/** {@link SessionRepository} on the core's Sequelize `sessions` model. Returns plain objects. */
@injectable()
export class SequelizeSessionRepository extends BaseRepository implements SessionRepository {
  private readonly sessions: Models['SessionModel'];
  private readonly sequelize: Sequelize;
  private readonly activeSql: string;
  private readonly refreshSql: string;

  constructor(
    @inject(MODELS) models: Models,
    @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork,
    @inject(USER_FIELDS) private readonly fields: UserFields,
  ) {
    super(uow);
    this.sessions = models.SessionModel;
    this.sequelize = models.SessionModel.sequelize as Sequelize;
    const tables = { sessions: quotedTableOf(models.SessionModel), users: quotedTableOf(models.UserModel) };
    this.activeSql = sessionWithUserSql(fields, tables, { activeOnly: true, refresh: false });
    this.refreshSql = sessionWithUserSql(fields, tables, { activeOnly: false, refresh: true });
  }

  async create(session: NewSession): Promise<Session> {
    const created = await this.statement((options) =>
      this.sessions.create(
        {
          user_id: session.user_id,
          jti: session.jti,
          ip_address: session.ip_address ?? null,
          user_agent: session.user_agent ?? null,
          expires_at: session.expires_at,
          absolute_expires_at: session.absolute_expires_at,
          last_used_at: session.last_used_at ?? null,
          refresh_token_hash: session.refresh_token_hash,
          refresh_generation: 0,
          is_active: true,
        },
        options,
      ),
    );
    return toSession(created.get({ plain: true }) as Row);
  }

  async findActive(sessionId: number, now: Date): Promise<SessionWithUser | null> {
    const row = await this.one(this.activeSql, { id: sessionId, yes: true, now });
    return row ? this.withUser(row) : null;
  }

  async findForRefresh(sessionId: number): Promise<RefreshableSession | null> {
    const row = await this.one(this.refreshSql, { id: sessionId });
    if (!row) return null;
    const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
    return {
      ...this.withUser(row),
      refresh: {
        refresh_token_hash: text(row.refresh_token_hash),
        previous_refresh_hash: text(row.previous_refresh_hash),
        refresh_generation: Number(row.refresh_generation ?? 0),
        rotated_at: row.rotated_at === null || row.rotated_at === undefined ? null : toDate(row.rotated_at),
      },
    };
  }

  async rotate({ sessionId, fromHash, toHash, generation, now, expiresAt }: SessionRotation): Promise<boolean> {
    const [affected] = await this.statement((options) =>
      this.sessions.update(
        {
          refresh_token_hash: toHash,
          previous_refresh_hash: fromHash,
          refresh_generation: generation,
          rotated_at: now,
          last_used_at: now,
          expires_at: expiresAt,
        },
        // The whole atomicity of rotation: of concurrent callers presenting the same token,
        // the first UPDATE changes the hash and every later one matches no row.
        { ...options, where: { id: sessionId, refresh_token_hash: fromHash, is_active: true } },
      ),
    );
    return affected === 1;
  }

  async touch(sessionId: number, { now, expiresAt, usedBefore }: { now: Date; expiresAt: Date; usedBefore: Date }): Promise<boolean> {
    const [affected] = await this.statement((options) =>
      this.sessions.update(
        { last_used_at: now, expires_at: expiresAt },
        {
          ...options,
          where: { id: sessionId, is_active: true, [Op.or]: [{ last_used_at: null }, { last_used_at: { [Op.lte]: usedBefore } }] },
        },
      ),
    );
    return affected === 1;
  }

  async revoke(userId: number, sessionId: number): Promise<boolean> {
    return (await this.deactivate({ id: sessionId, user_id: userId })) > 0;
  }

  async revokeAllForUser(userId: number, exceptSessionId?: number): Promise<number[]> {
    const except = exceptSessionId === undefined ? {} : { id: { [Op.ne]: exceptSessionId } };
    const where = { user_id: userId, is_active: true, ...except };
    // Read the ids, then revoke exactly those: the caller's event names every session ended.
    const rows = await this.statement((options) =>
      this.sessions.findAll({ ...options, where, attributes: ['id'], order: [['id', 'ASC']], raw: true }),
    );
    const ids = (rows as unknown as Row[]).map((row) => Number(row.id));
    if (ids.length > 0) await this.deactivate({ id: { [Op.in]: ids } });
    return ids;
  }

  async listActiveForUser(userId: number, now: Date): Promise<Session[]> {
    const rows = await this.statement((options) =>
      this.sessions.findAll({
        ...options,
        attributes: SESSION_COLUMNS,
        where: { user_id: userId, is_active: true, expires_at: { [Op.gt]: now } },
        order: [
          ['created_at', 'DESC'],
          ['id', 'DESC'],
        ],
        raw: true,
      }),
    );
    return (rows as unknown as Row[]).map(toSession);
  }

  purgeExpired(now: Date): Promise<number> {
    return this.statement((options) =>
      this.sessions.destroy({ ...options, where: { [Op.or]: [{ expires_at: { [Op.lte]: now } }, { is_active: false }] } }),
    );
  }

  private async one(sql: string, replacements: Record<string, unknown>): Promise<Row | undefined> {
    const rows = await this.statement((options) =>
      this.sequelize.query<Row>(sql, { ...options, type: QueryTypes.SELECT, replacements }),
    );
    return rows[0];
  }

  private withUser(row: Row): SessionWithUser {
    const userRow = Object.fromEntries(this.fields.all.map((field) => [field.name, row[`u_${field.name}`]]));
    return { session: toSession(row), user: toUser(userRow, this.fields) };
  }

  private async deactivate(where: Record<string | symbol, unknown>): Promise<number> {
    const [affected] = await this.statement((options) =>
      this.sessions.update({ is_active: false }, { ...options, where: { ...where, is_active: true } }),
    );
    return affected;
  }
}
