import { inject, injectable } from 'inversify';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { NewSession, Session, User } from '../domain/types';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { quotedTableOf } from '../database/table-names';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { USER_FIELDS, type UserFields } from '../domain/user-fields';
import { MODELS, type Models } from '../models/create-models';
import { BaseRepository } from './base-repository';
import { toSession, toUser, type Row } from './row-mappers';
import type { SessionRepository } from './session-repository';

/**
 * Runs on every authenticated request: one indexed lookup by jti joined to its user by
 * primary key, only the columns needed, and no write (last_used_at is not touched). The
 * user's columns are the registry's, aliased `u_<name>`; the table names carry the
 * configured prefix and schema (database/table-names.ts).
 */
function activeByJtiSql(fields: UserFields, sessions: string, users: string): string {
  const userColumns = fields.all.map((field) => `u.${field.name} AS "u_${field.name}"`).join(', ');
  return `
  SELECT s.id, s.user_id, s.jti, s.ip_address, s.user_agent, s.is_active, s.expires_at,
         s.created_at, s.last_used_at, ${userColumns}
    FROM ${sessions} s
    JOIN ${users} u ON u.id = s.user_id
   WHERE s.jti = :jti AND s.is_active = :yes AND s.expires_at > :now`;
}

/** {@link SessionRepository} on the core's Sequelize `sessions` model. Returns plain objects. */
@injectable()
export class SequelizeSessionRepository extends BaseRepository implements SessionRepository {
  private readonly sessions: Models['SessionModel'];
  private readonly sequelize: Sequelize;
  private readonly activeByJti: string;

  constructor(
    @inject(MODELS) models: Models,
    @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork,
    @inject(USER_FIELDS) private readonly fields: UserFields,
  ) {
    super(uow);
    this.sessions = models.SessionModel;
    this.sequelize = models.SessionModel.sequelize as Sequelize;
    this.activeByJti = activeByJtiSql(fields, quotedTableOf(models.SessionModel), quotedTableOf(models.UserModel));
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
          is_active: true,
          last_used_at: null,
        },
        options,
      ),
    );
    return toSession(created.get({ plain: true }) as Row);
  }

  async findActiveByJti(jti: string, now: Date): Promise<{ session: Session; user: User } | null> {
    const rows = await this.statement((options) =>
      this.sequelize.query<Row>(this.activeByJti, {
        ...options,
        type: QueryTypes.SELECT,
        replacements: { jti, yes: true, now },
      }),
    );
    const row = rows[0];
    if (!row) return null;
    const userRow = Object.fromEntries(this.fields.all.map((field) => [field.name, row[`u_${field.name}`]]));
    return { session: toSession(row), user: toUser(userRow, this.fields) };
  }

  async revoke(userId: number, sessionId: number): Promise<boolean> {
    return (await this.deactivate({ id: sessionId, user_id: userId })) > 0;
  }

  async revokeByJti(jti: string): Promise<boolean> {
    return (await this.deactivate({ jti })) > 0;
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

  private async deactivate(where: Record<string | symbol, unknown>): Promise<number> {
    const [affected] = await this.statement((options) =>
      this.sessions.update({ is_active: false }, { ...options, where: { ...where, is_active: true } }),
    );
    return affected;
  }
}
