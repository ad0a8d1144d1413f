import { expect } from 'chai';
import { createTableNames } from './table-names';

describe('createTableNames', () => {
  it('keeps the historical names without options', () => {
    const tables = createTableNames();
    expect([tables.users, tables.sessions, tables.migrations]).to.deep.equal([
      { tableName: 'users' },
      { tableName: 'sessions' },
      { tableName: 'schema_migrations' },
    ]);
    expect(tables.index('users_email_unique')).to.equal('users_email_unique');
    expect(tables.sql(tables.users)).to.equal('"users"');
  });

  it('prefixes every table and index name', () => {
    const tables = createTableNames({ tablePrefix: 'auth_' });
    expect(tables.users).to.deep.equal({ tableName: 'auth_users' });
    expect(tables.migrationLock).to.deep.equal({ tableName: 'auth_schema_migrations_lock' });
    expect(tables.index('sessions_jti_unique')).to.equal('auth_sessions_jti_unique');
    expect(tables.indexRef('users_is_active')).to.equal('auth_users_is_active');
  });

  it('qualifies tables and dropped indexes with the schema', () => {
    const tables = createTableNames({ tablePrefix: 'auth_', schema: 'identity' });
    expect(tables.sessions).to.deep.equal({ tableName: 'auth_sessions', schema: 'identity' });
    expect(tables.sql(tables.sessions)).to.equal('"identity"."auth_sessions"');
    expect(tables.index('users_is_active')).to.equal('auth_users_is_active');
    expect(tables.indexRef('users_is_active')).to.equal('identity.auth_users_is_active');
  });
});
