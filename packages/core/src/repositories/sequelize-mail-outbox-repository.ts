import { inject, injectable } from 'inversify';
import { Op } from 'sequelize';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { ACCOUNT_MODELS, type AccountModels } from '../models/account-models';
import { BaseRepository } from './base-repository';
import type { MailOutboxRepository, NewOutboxMail, OutboxMail } from './mail-outbox-repository';
import { toDate } from './row-mappers';

/** {@link MailOutboxRepository} on the `mail_outbox` model. */
@injectable()
export class SequelizeMailOutboxRepository extends BaseRepository implements MailOutboxRepository {
  private readonly mails: AccountModels['MailOutboxModel'];

  constructor(@inject(ACCOUNT_MODELS) models: AccountModels, @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork) {
    super(uow);
    this.mails = models.MailOutboxModel;
  }

  async add(mail: NewOutboxMail): Promise<void> {
    await this.statement((options) => this.mails.create({ ...mail, attempts: 0, last_error: null, failed_at: null }, options));
  }

  async due(now: Date, limit: number): Promise<OutboxMail[]> {
    const rows = await this.statement((options) =>
      this.mails.findAll({
        ...options,
        raw: true,
        where: { failed_at: null, next_attempt_at: { [Op.lte]: now } },
        order: [['next_attempt_at', 'ASC'], ['id', 'ASC']],
        limit,
      }),
    );
    return rows.map((row) => toMail(row as unknown as Record<string, unknown>));
  }

  async claim(id: number, attempts: number, leaseUntil: Date): Promise<boolean> {
    const [count] = await this.statement((options) =>
      this.mails.update({ attempts: attempts + 1, next_attempt_at: leaseUntil }, { ...options, where: { id, attempts, failed_at: null } }),
    );
    return count === 1;
  }

  async delete(id: number): Promise<void> {
    await this.statement((options) => this.mails.destroy({ ...options, where: { id } }));
  }

  async retryAt(id: number, next: Date, error: string): Promise<void> {
    await this.statement((options) => this.mails.update({ next_attempt_at: next, last_error: error }, { ...options, where: { id } }));
  }

  async giveUp(id: number, now: Date, error: string): Promise<void> {
    await this.statement((options) =>
      this.mails.update({ failed_at: now, last_error: error, subject: '', text_body: '', html_body: '' }, { ...options, where: { id } }),
    );
  }

  async pendingCount(): Promise<number> {
    return this.statement((options) => this.mails.count({ ...options, where: { failed_at: null } }));
  }
}

function toMail(row: Record<string, unknown>): OutboxMail {
  return {
    id: Number(row.id),
    kind: String(row.kind),
    recipient: String(row.recipient),
    subject: String(row.subject),
    text_body: String(row.text_body),
    html_body: String(row.html_body),
    attempts: Number(row.attempts),
    next_attempt_at: toDate(row.next_attempt_at),
    last_error: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
    failed_at: row.failed_at ? toDate(row.failed_at) : null,
    created_at: toDate(row.created_at),
  };
}
