import { inject, injectable } from 'inversify';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { NewSession, Session, User } from '../domain/types';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { quotedTableOf } from '../database/table-names';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { MODELS, type Models } from '../models/create-models';
import { BaseRepository } from './base-repository';
import { toSession, toUser, type Row } from './row-mappers';
import type { SessionRepository } from './session-repository';

// Runs on every authenticated request: one indexed lookup by jti joined to its user by
// primary key, only the columns needed, and no write (last_used_at is not touched). The
// table names carry the configured prefix and schema (database/table-names.ts).
const activeByJtiSql = (sessions: string, users: string) => `
  SELECT s.id AS "id", s.user_id AS "userId", s.jti AS "jti", s.ip_address AS "ipAddress",
         s.user_agent AS "userAgent", s.is_active AS "isActive", s.expires_at AS "expiresAt",
         s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt",
         u.email AS "u_email", u.username AS "u_username", u.full_name AS "u_fullName",
         u.is_active AS "u_isActive", u.is_superuser AS "u_isSuperuser",
         u.created_at AS "u_createdAt", u.updated_at AS "u_updatedAt"
    FROM ${sessions} s
    JOIN ${users} u ON u.id = s.user_id
   WHERE s.jti = :jti AND s.is_active = :yes AND s.expires_at > :now`;

/** {@link SessionRepository} on the core's Sequelize `sessions` model. Returns plain objects. */
@injectable()
export class SequelizeSessionRepository extends BaseRepository implements SessionRepository {
  private readonly sessions: Models['SessionModel'];
  private readonly sequelize: Sequelize;
  private readonly activeByJtiSql: string;

  constructor(@inject(MODELS) models: Models, @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork) {
    super(uow);
    this.sessions = models.SessionModel;
    this.sequelize = models.SessionModel.sequelize as Sequelize;
    this.activeByJtiSql = activeByJtiSql(quotedTableOf(models.SessionModel), quotedTableOf(models.UserModel));
  }

  async create(session: NewSession): Promise<Session> {
    const created = await this.statement((options) =>
      this.sessions.create(
        {
          userId: session.userId,
          jti: session.jti,
          ipAddress: session.ipAddress ?? null,
          userAgent: session.userAgent ?? null,
          expiresAt: session.expiresAt,
          isActive: true,
          lastUsedAt: null,
        },
        options,
      ),
    );
    return toSession(created.get({ plain: true }) as unknown as Row);
  }

  async findActiveByJti(jti: string, now: Date): Promise<{ session: Session; user: User } | null> {
    const rows = await this.statement((options) =>
      this.sequelize.query<Row>(this.activeByJtiSql, {
        ...options,
        type: QueryTypes.SELECT,
        replacements: { jti, yes: true, now },
      }),
    );
    const row = rows[0];
    if (!row) return null;
    const user = toUser({
      id: row.userId,
      email: row.u_email,
      username: row.u_username,
      fullName: row.u_fullName,
      isActive: row.u_isActive,
      isSuperuser: row.u_isSuperuser,
      createdAt: row.u_createdAt,
      updatedAt: row.u_updatedAt,
    });
    return { session: toSession(row), user };
  }

  async revoke(userId: number, sessionId: number): Promise<boolean> {
    return (await this.deactivate({ id: sessionId, userId })) > 0;
  }

  async revokeByJti(jti: string): Promise<boolean> {
    return (await this.deactivate({ jti })) > 0;
  }

  revokeAllForUser(userId: number, exceptSessionId?: number): Promise<number> {
    const except = exceptSessionId === undefined ? {} : { id: { [Op.ne]: exceptSessionId } };
    return this.deactivate({ userId, ...except });
  }

  async listActiveForUser(userId: number, now: Date): Promise<Session[]> {
    const rows = await this.statement((options) =>
      this.sessions.findAll({
        ...options,
        where: { userId, isActive: true, expiresAt: { [Op.gt]: now } },
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
        raw: true,
      }),
    );
    return (rows as unknown as Row[]).map(toSession);
  }

  purgeExpired(now: Date): Promise<number> {
    return this.statement((options) =>
      this.sessions.destroy({ ...options, where: { [Op.or]: [{ expiresAt: { [Op.lte]: now } }, { isActive: false }] } }),
    );
  }

  private async deactivate(where: Record<string | symbol, unknown>): Promise<number> {
    const [affected] = await this.statement((options) =>
      this.sessions.update({ isActive: false }, { ...options, where: { ...where, isActive: true } }),
    );
    return affected;
  }
}
