import { expect } from 'chai';
import {
  ConnectionAcquireTimeoutError,
  ConnectionRefusedError,
  DatabaseError,
  ForeignKeyConstraintError,
  HostNotFoundError,
  TimeoutError,
  UniqueConstraintError,
} from 'sequelize';
import { AppError, notFoundError } from '../errors/app-error';
import { translateDatabaseError } from './database-errors';

/** A driver error as pg or sqlite3 would raise it. */
const driverError = (message: string, extra: Record<string, unknown>) => Object.assign(new Error(message), extra);

const unique = (parent: Error, fields: Record<string, unknown> | string[]) =>
  new UniqueConstraintError({ parent: parent as never, fields: fields as never, message: 'Validation error' });

describe('translateDatabaseError', () => {
  describe('unique violations', () => {
    it('names the email from a PostgreSQL constraint', () => {
      const parent = driverError('duplicate key value violates unique constraint "users_email_unique"', {
        code: '23505',
        constraint: 'users_email_unique',
        detail: 'Key (email)=(a@example.com) already exists.',
      });
      const error = translateDatabaseError(unique(parent, { email: 'a@example.com' })) as AppError;
      expect(error).to.be.instanceOf(AppError);
      expect(error).to.include({ code: 'conflict_error', message: 'Email already registered', status: 409 });
    });

    it('names the username from the lower(username) index, whatever the duplicate value says', () => {
      const parent = driverError('duplicate key value violates unique constraint "users_username_lower_unique"', {
        code: '23505',
        constraint: 'users_username_lower_unique',
        detail: 'Key (lower(username::text))=(email) already exists.',
      });
      const error = translateDatabaseError(unique(parent, { 'lower(username::text)': 'email' })) as AppError;
      expect(error.message).to.equal('Username already taken');
    });

    it('reads SQLite messages for a column and for an expression index', () => {
      const column = driverError('SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email', { code: 'SQLITE_CONSTRAINT' });
      expect((translateDatabaseError(unique(column, ['email'])) as AppError).message).to.equal('Email already registered');
      const index = driverError("SQLITE_CONSTRAINT: UNIQUE constraint failed: index 'users_username_lower_unique'", {
        code: 'SQLITE_CONSTRAINT',
      });
      expect((translateDatabaseError(unique(index, [])) as AppError).message).to.equal('Username already taken');
    });

    it('gives any other unique violation a generic 409', () => {
      const parent = driverError('dup', { code: '23505', constraint: 'sessions_jti_unique' });
      expect(translateDatabaseError(unique(parent, { jti: 'x' }))).to.include({ code: 'conflict_error', message: 'Resource already exists' });
    });
  });

  describe('unavailability', () => {
    const cases: Array<[string, unknown]> = [
      ['connection refused', new ConnectionRefusedError(driverError('connect ECONNREFUSED 10.0.0.1:5432', { code: 'ECONNREFUSED' }))],
      ['host not found', new HostNotFoundError(driverError('getaddrinfo ENOTFOUND db.internal', { code: 'ENOTFOUND' }))],
      ['pool exhausted', new ConnectionAcquireTimeoutError(driverError('Operation timeout', {}))],
      ['SQLite busy', new TimeoutError(driverError('SQLITE_BUSY: database is locked', { code: 'SQLITE_BUSY' }) as never)],
      ['server shutting down', new DatabaseError(driverError('terminating connection due to administrator command', { code: '57P01' }) as never)],
      ['connection dropped', driverError('Connection terminated unexpectedly', {})],
    ];
    for (const [name, original] of cases) {
      it(`turns ${name} into 503 without the driver's text`, () => {
        const error = translateDatabaseError(original) as AppError;
        expect(error).to.be.instanceOf(AppError);
        expect(error).to.include({ code: 'service_unavailable', message: 'Service temporarily unavailable', status: 503 });
        expect(error.cause).to.equal(original);
      });
    }
  });

  describe('foreign-key violations', () => {
    it('turns a reference to a vanished row into 409 without the driver text', () => {
      const parent = driverError('insert or update on table "sessions" violates foreign key constraint', { code: '23503' });
      const translated = translateDatabaseError(new ForeignKeyConstraintError({ parent: parent as never }));
      expect(translated).to.be.instanceOf(AppError);
      expect(translated).to.include({ code: 'conflict_error', message: 'The referenced record no longer exists' });
    });
  });

  describe('values too long', () => {
    it('turns PostgreSQL 22001 into 422 without the driver text', () => {
      const parent = driverError('value too long for type character varying(45)', { code: '22001' });
      const translated = translateDatabaseError(new DatabaseError(parent as never));
      expect(translated).to.include({ code: 'validation_error', message: 'A value is longer than its column allows' });
    });
  });

  describe('anything else', () => {
    it('returns AppErrors and unknown errors unchanged', () => {
      const appError = notFoundError();
      expect(translateDatabaseError(appError)).to.equal(appError);
      const syntax = new DatabaseError(driverError('syntax error at or near "SELEC"', { code: '42601' }) as never);
      expect(translateDatabaseError(syntax)).to.equal(syntax);
    });
  });
});
