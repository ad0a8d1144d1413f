import { inject, injectable } from 'inversify';
import { Op } from 'sequelize';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { ACCOUNT_MODELS, type AccountModels } from '../models/account-models';
import type { AccountToken, AccountTokenPurpose, AccountTokenRepository, NewAccountToken } from './account-token-repository';
import { BaseRepository } from './base-repository';
import { toDate } from './row-mappers';

/** {@link AccountTokenRepository} on the `account_tokens` model. */
@injectable()
export class SequelizeAccountTokenRepository extends BaseRepository implements AccountTokenRepository {
  private readonly tokens: AccountModels['AccountTokenModel'];

  constructor(@inject(ACCOUNT_MODELS) models: AccountModels, @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork) {
    super(uow);
    this.tokens = models.AccountTokenModel;
  }

  async replace(token: NewAccountToken): Promise<void> {
    await this.statement((options) =>
      this.tokens.destroy({
        ...options,
        where: { user_id: token.user_id, [Op.or]: [{ purpose: token.purpose }, { expires_at: { [Op.lte]: token.created_at } }] },
      }),
    );
    await this.statement((options) => this.tokens.create({ ...token, used_at: null }, options));
  }

  async findValid(purpose: AccountTokenPurpose, tokenHash: string, now: Date): Promise<AccountToken | null> {
    const row = await this.statement((options) =>
      this.tokens.findOne({
        ...options,
        raw: true,
        where: { purpose, token_hash: tokenHash, used_at: null, expires_at: { [Op.gt]: now } },
      }),
    );
    return row ? toToken(row as unknown as Record<string, unknown>) : null;
  }

  async consume(id: number, now: Date): Promise<boolean> {
    const [count] = await this.statement((options) =>
      this.tokens.update({ used_at: now }, { ...options, where: { id, used_at: null, expires_at: { [Op.gt]: now } } }),
    );
    return count === 1;
  }

  async deleteForUser(userId: number, purpose: AccountTokenPurpose): Promise<number> {
    return this.statement((options) => this.tokens.destroy({ ...options, where: { user_id: userId, purpose } }));
  }
}

function toToken(row: Record<string, unknown>): AccountToken {
  return {
    id: Number(row.id),
    user_id: Number(row.user_id),
    purpose: row.purpose as AccountTokenPurpose,
    token_hash: String(row.token_hash),
    email: String(row.email),
    expires_at: toDate(row.expires_at),
    used_at: row.used_at ? toDate(row.used_at) : null,
    created_at: toDate(row.created_at),
  };
}
