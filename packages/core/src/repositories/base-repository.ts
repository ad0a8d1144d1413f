import { translateDatabaseError } from '../database/database-errors';
import type { QueryOptions, SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';

/**
 * What every Sequelize repository shares: each statement joins the unit of work's ambient
 * transaction, is refused once the request has timed out, and has its driver errors
 * translated (unique violation → 409, unreachable database → 503) before they leave the
 * data layer.
 */
export abstract class BaseRepository {
  protected constructor(protected readonly uow: SequelizeUnitOfWork) {}

  /** Runs one statement with the current transaction options, translating driver errors. */
  protected async statement<T>(work: (options: QueryOptions) => Promise<T>): Promise<T> {
    try {
      return await this.uow.execute(work);
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}
