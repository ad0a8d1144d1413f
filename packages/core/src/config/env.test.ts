import { expect } from 'chai';
import { VERSION } from '../version';
import { ENV_VARIABLES, loadConfigFromEnv, readPort } from './env';
import { silentLogger as silent } from '../logger/logger';
import { ConfigError, resolveConfig } from './options';

const SECRET = 'x'.repeat(40);

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfigFromEnv(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

function optionAt(options: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], options);
}

describe('loadConfigFromEnv', () => {
  describe('with nothing set', () => {
    it('returns no options, so every default applies', () => {
      expect(loadConfigFromEnv({})).to.deep.equal({});
    });

    it('treats empty and blank variables as unset', () => {
      expect(loadConfigFromEnv({ DATABASE_POOL_MAX: '', REDIS_URL: '  ', CACHE_ENABLED: '' })).to.deep.equal({});
    });
  });

  describe('each variable', () => {
    // A third element is the rest of the environment the sample needs.
    const samples: Record<string, [raw: string, value: unknown, others?: NodeJS.ProcessEnv]> = {
      NODE_ENV: ['test', 'test'],
      DATABASE_URL: ['postgres://app:pw@db:5432/app', 'postgres://app:pw@db:5432/app'],
      DATABASE_POOL_MAX: ['25', 25],
      DATABASE_POOL_MIN: ['0', 0],
      DATABASE_TABLE_PREFIX: ['auth_', 'auth_'],
      DATABASE_SCHEMA: ['identity', 'identity', { DATABASE_URL: 'postgres://db/app' }],
      SESSION_PURGE_INTERVAL_MINUTES: ['0', 0],
      DATABASE_LOGGING: ['TRUE', true],
      REDIS_URL: ['redis://cache:6379/0', 'redis://cache:6379/0'],
      CACHE_REDIS_URL: ['redis://c:6379/1', 'redis://c:6379/1'],
      LIMITER_REDIS_URL: ['rediss://l:6380/2', 'rediss://l:6380/2'],
      REDIS_KEY_PREFIX: ['svc:', 'svc:'],
      SECRET_KEY: [SECRET, SECRET],
      ACCESS_TOKEN_EXPIRE_MINUTES: ['15', 15],
      BCRYPT_ROUNDS: ['10', 10],
      HASH_WORKERS: ['3', 3],
      HASH_ALGORITHM: ['argon2id', 'argon2id'],
      ARGON2_MEMORY_KIB: ['65536', 65536],
      ARGON2_TIME_COST: ['3', 3],
      ARGON2_PARALLELISM: ['2', 2],
      HASH_QUEUE_MAX_WAIT_MS: ['0', 0],
      REQUEST_TIMEOUT_MS: ['5000', 5000],
      BODY_LIMIT_BYTES: ['2048', 2048],
      BODY_READ_TIMEOUT_MS: ['2500', 2500],
      BULK_MAX: ['500', 500],
      LIST_EXACT_COUNT_LIMIT: ['0', 0],
      CACHE_ENABLED: ['false', false],
      LIMITER_ENABLED: ['0', false],
      LOGIN_MAX_FAILURES: ['3', 3],
      LOGIN_LOCKOUT_SECONDS: ['10', 10],
      LOGIN_LOCKOUT_MAX_SECONDS: ['600', 600],
      RATE_LIMIT_IPV6_PREFIX: ['56', 56],
      LOGIN_ACCOUNT_MAX_FAILURES: ['50', 50],
      LOGIN_ACCOUNT_WINDOW_SECONDS: ['3600', 3600],
      LOGIN_KNOWN_IP_DAYS: ['30', 30],
      AUDIT_RETENTION_DAYS: ['90', 90],
      AUDIT_PURGE_INTERVAL_MINUTES: ['60', 60],
      AUDIT_LOCKOUT_SAMPLE_SECONDS: ['0', 0],
      APP_NAME: ['Accounts', 'Accounts'],
      APP_VERSION: ['2.3.4', '2.3.4'],
      API_PREFIX: ['/api/v2', '/api/v2'],
      TOKEN_ISSUER: ['https://id.example.com', 'https://id.example.com'],
      TOKEN_AUDIENCE: ['accounts-api', 'accounts-api'],
      SESSION_IDLE_DAYS: ['0.5', 0.5],
      SESSION_MAX_DAYS: ['60', 60],
      REFRESH_COOKIE: ['on', true],
      PASSWORD_MIN_LENGTH: ['12', 12],
      EMAIL_VERIFICATION: ['required', 'required'],
      SMTP_URL: ['smtp://user:pw@mail.example.com:587', 'smtp://user:pw@mail.example.com:587'],
      MAIL_FROM: ['Accounts <noreply@example.com>', 'Accounts <noreply@example.com>'],
      PASSWORD_RESET_URL: ['https://app.example.com/#/reset/{token}', 'https://app.example.com/#/reset/{token}'],
      EMAIL_VERIFICATION_URL: ['https://app.example.com/verify?t={token}', 'https://app.example.com/verify?t={token}'],
      METRICS_TOKEN: ['scrape-token-0123456789', 'scrape-token-0123456789'],
      METRICS_PATH: ['/internal/metrics', '/internal/metrics'],
    };

    for (const variable of ENV_VARIABLES.filter((v) => v.option && !v.option.startsWith('firstSuperuser.'))) {
      it(`reads ${variable.name} into ${variable.option}`, () => {
        const sample = samples[variable.name];
        expect(sample, `a sample for ${variable.name}`).to.not.equal(undefined);
        const options = loadConfigFromEnv({ ...sample[2], [variable.name]: sample[0] });
        expect(optionAt(options, variable.option as string)).to.deep.equal(sample[1]);
      });
    }

    it('reads the three FIRST_SUPERUSER_* variables together', () => {
      const options = loadConfigFromEnv({
        FIRST_SUPERUSER_EMAIL: 'admin@example.com',
        FIRST_SUPERUSER_USERNAME: 'admin',
        FIRST_SUPERUSER_PASSWORD: 'a long password',
      });
      expect(options.firstSuperuser).to.deep.equal({ email: 'admin@example.com', username: 'admin', password: 'a long password' });
    });

    it('accepts production with a long SECRET_KEY', () => {
      expect(loadConfigFromEnv({ NODE_ENV: 'production', SECRET_KEY: SECRET })).to.deep.equal({ environment: 'production', secretKey: SECRET });
    });
  });

  describe('errors', () => {
    it('names a malformed SMTP_URL in one line, its password masked, and the other mail settings', () => {
      const message = (env: Record<string, string>) => {
        try {
          loadConfigFromEnv(env);
        } catch (error) {
          return (error as Error).message;
        }
        return 'accepted';
      };
      expect(message({ SMTP_URL: 'http://user:secret@mail.example.com' })).to.equal(
        "SMTP_URL must look like smtp://user:pass@host:587 (or smtps://), got 'http://user:***@mail.example.com'",
      );
      expect(message({ MAIL_FROM: 'nobody' })).to.equal("MAIL_FROM must be an address, or a name and <address>, got 'nobody'");
      expect(message({ PASSWORD_RESET_URL: 'https://app.example.com/reset' })).to.match(/^PASSWORD_RESET_URL must be an http\(s\) URL containing \{token\}/);
      expect(message({ EMAIL_VERIFICATION: 'maybe' })).to.match(/^EMAIL_VERIFICATION is invalid: /);
      expect(message({ PASSWORD_MIN_LENGTH: '6' })).to.equal("PASSWORD_MIN_LENGTH must be at least 8, got '6'");
    });

    it('names a non-integer or non-positive integer variable', () => {
      expect(configError({ DATABASE_POOL_MAX: 'abc' })).to.equal("DATABASE_POOL_MAX must be a positive integer, got 'abc'");
      expect(configError({ BULK_MAX: '0' })).to.equal("BULK_MAX must be a positive integer, got '0'");
      expect(configError({ REQUEST_TIMEOUT_MS: '1.5' })).to.equal("REQUEST_TIMEOUT_MS must be a positive integer, got '1.5'");
      expect(configError({ DATABASE_POOL_MIN: '-1' })).to.equal("DATABASE_POOL_MIN must be a non-negative integer, got '-1'");
    });

    it('names a variable outside the option bounds', () => {
      expect(configError({ BCRYPT_ROUNDS: '40' })).to.equal("BCRYPT_ROUNDS must be at most 31, got '40'");
      expect(configError({ BCRYPT_ROUNDS: '3' })).to.equal("BCRYPT_ROUNDS must be at least 4, got '3'");
      expect(configError({ DATABASE_POOL_MAX: '5000' })).to.equal("DATABASE_POOL_MAX must be at most 1000, got '5000'");
      expect(configError({ RATE_LIMIT_IPV6_PREFIX: '129' })).to.equal("RATE_LIMIT_IPV6_PREFIX must be at most 128, got '129'");
    });

    it('names DATABASE_POOL_MIN when it exceeds DATABASE_POOL_MAX', () => {
      expect(configError({ DATABASE_POOL_MAX: '5', DATABASE_POOL_MIN: '6' })).to.equal(
        "DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX, got '6'",
      );
    });

    it('names SESSION_IDLE_DAYS when it exceeds SESSION_MAX_DAYS, and bounds the token lifetime', () => {
      expect(configError({ SESSION_IDLE_DAYS: '10', SESSION_MAX_DAYS: '5' })).to.equal("SESSION_IDLE_DAYS must not exceed SESSION_MAX_DAYS, got '10'");
      expect(configError({ SESSION_IDLE_DAYS: '31' })).to.equal("SESSION_IDLE_DAYS must not exceed SESSION_MAX_DAYS, got '31'");
      expect(configError({ ACCESS_TOKEN_EXPIRE_MINUTES: '2000' })).to.equal("ACCESS_TOKEN_EXPIRE_MINUTES must be at most 1440, got '2000'");
      expect(configError({ SESSION_MAX_DAYS: 'a week' })).to.equal("SESSION_MAX_DAYS must be a positive number, got 'a week'");
      expect(configError({ SESSION_MAX_DAYS: '0' })).to.equal("SESSION_MAX_DAYS must be a positive number, got '0'");
      expect(configError({ SESSION_IDLE_DAYS: '0.0001' })).to.equal("SESSION_IDLE_DAYS must be at least one minute (0.0007 days), got '0.0001'");
    });

    it('names a bad boolean', () => {
      expect(configError({ CACHE_ENABLED: 'maybe' })).to.equal("CACHE_ENABLED must be true or false, got 'maybe'");
      expect(configError({ LIMITER_ENABLED: 'enabled' })).to.match(/^LIMITER_ENABLED must be true or false/);
    });

    it('names a bad NODE_ENV', () => {
      expect(configError({ NODE_ENV: 'staging' })).to.equal("NODE_ENV must be production, test or development, got 'staging'");
    });

    it('names bad URLs and masks their passwords', () => {
      expect(configError({ DATABASE_URL: 'mysql://app:hunter2@db/app' })).to.equal(
        "DATABASE_URL must start with sqlite: or postgres://, got 'mysql://app:***@db/app'",
      );
      expect(configError({ REDIS_URL: 'http://cache' })).to.match(/^REDIS_URL must start with redis:\/\//);
      expect(configError({ CACHE_REDIS_URL: 'cache' })).to.match(/^CACHE_REDIS_URL /);
      expect(configError({ LIMITER_REDIS_URL: 'limiter' })).to.match(/^LIMITER_REDIS_URL /);
    });

    it('requires SECRET_KEY in production', () => {
      expect(configError({ NODE_ENV: 'production' })).to.match(/^SECRET_KEY is required in production/);
    });

    it('rejects a short SECRET_KEY without echoing it', () => {
      const message = configError({ SECRET_KEY: 'tooshort' });
      expect(message).to.equal('SECRET_KEY must be at least 32 characters, got 8 characters');
      expect(message).to.not.contain('tooshort');
    });

    it('requires all three FIRST_SUPERUSER_* variables or none', () => {
      expect(configError({ FIRST_SUPERUSER_EMAIL: 'admin@example.com' })).to.equal(
        'FIRST_SUPERUSER_EMAIL, FIRST_SUPERUSER_USERNAME, FIRST_SUPERUSER_PASSWORD must be set together; ' +
          'missing FIRST_SUPERUSER_USERNAME, FIRST_SUPERUSER_PASSWORD',
      );
    });

    it('names each bad FIRST_SUPERUSER_* value and never echoes the password', () => {
      const message = configError({ FIRST_SUPERUSER_EMAIL: 'a@b.co', FIRST_SUPERUSER_USERNAME: 'ad', FIRST_SUPERUSER_PASSWORD: 'pw' });
      expect(message).to.contain("FIRST_SUPERUSER_USERNAME must be at least 3 characters, got 'ad'");
      expect(message).to.contain('FIRST_SUPERUSER_PASSWORD must be at least 8 characters, got 2 characters');
    });

    it('names a bad API_PREFIX', () => {
      expect(configError({ API_PREFIX: 'api' })).to.equal("API_PREFIX must look like /api/v1, got 'api'");
    });

    it('names a bad DATABASE_TABLE_PREFIX or DATABASE_SCHEMA', () => {
      expect(configError({ DATABASE_TABLE_PREFIX: 'Auth-' })).to.equal(
        "DATABASE_TABLE_PREFIX must be lower-case letters, digits and _, start with a letter, at most 24 characters, got 'Auth-'",
      );
      expect(configError({ DATABASE_URL: 'postgres://db/app', DATABASE_SCHEMA: 'pg_auth' })).to.equal(
        "DATABASE_SCHEMA must not start with pg_ (reserved by PostgreSQL), got 'pg_auth'",
      );
    });

    it('refuses DATABASE_SCHEMA on SQLite, pointing at DATABASE_TABLE_PREFIX', () => {
      expect(configError({ DATABASE_SCHEMA: 'identity' })).to.equal(
        "DATABASE_SCHEMA is only supported on PostgreSQL (DATABASE_URL is a sqlite: URL); use DATABASE_TABLE_PREFIX instead, got 'identity'",
      );
    });

    it('names HASH_WORKERS, BULK_MAX and ACCESS_TOKEN_EXPIRE_MINUTES out of range', () => {
      expect(configError({ HASH_WORKERS: '100' })).to.equal("HASH_WORKERS must be at most 64, got '100'");
      expect(configError({ BULK_MAX: '20000' })).to.equal("BULK_MAX must be at most 10000, got '20000'");
      expect(configError({ ACCESS_TOKEN_EXPIRE_MINUTES: 'soon' })).to.match(/^ACCESS_TOKEN_EXPIRE_MINUTES must be a positive integer/);
    });

    it('names a bad HASH_ALGORITHM, argon2 parameter or HASH_QUEUE_MAX_WAIT_MS', () => {
      expect(configError({ HASH_ALGORITHM: 'md5' })).to.equal("HASH_ALGORITHM must be bcrypt or argon2id, got 'md5'");
      expect(configError({ ARGON2_MEMORY_KIB: '512' })).to.equal("ARGON2_MEMORY_KIB must be at least 1024, got '512'");
      expect(configError({ ARGON2_PARALLELISM: '17' })).to.equal("ARGON2_PARALLELISM must be at most 16, got '17'");
      expect(configError({ HASH_QUEUE_MAX_WAIT_MS: '-1' })).to.match(/^HASH_QUEUE_MAX_WAIT_MS must be a non-negative integer/);
    });
  });
});

describe('readPort', () => {
  it('defaults to 8000', () => {
    expect(readPort({})).to.equal(8000);
    expect(readPort({ PORT: '' })).to.equal(8000);
  });

  it('reads PORT, 0 included', () => {
    expect(readPort({ PORT: '3000' })).to.equal(3000);
    expect(readPort({ PORT: '0' })).to.equal(0);
  });

  it('names PORT when it is not a port number', () => {
    for (const bad of ['70000', 'http', '-1', '80.5']) {
      expect(() => readPort({ PORT: bad }), bad).to.throw(ConfigError, `PORT must be an integer from 0 to 65535, got '${bad}'`);
    }
  });
});

describe('ENV_VARIABLES', () => {
  it('lists every variable once, with a description and default', () => {
    const names = ENV_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const v of ENV_VARIABLES) {
      expect(v.description.length, v.name).to.be.greaterThan(10);
      expect(v.default, v.name).to.be.a('string').and.not.equal('');
    }
  });

  it('documents the defaults the core actually applies', () => {
    const config = resolveConfig({ environment: 'test', logger: silent }) as unknown as Record<string, unknown>;
    const documented = ENV_VARIABLES.filter((v) => v.option && v.option !== 'environment' && v.default !== 'unset');
    for (const v of documented) {
      const actual = optionAt(config, v.option as string);
      if (v.name === 'APP_VERSION') expect(actual).to.equal(VERSION);
      else if (v.name === 'HASH_WORKERS') expect(actual).to.equal(undefined);
      else expect(String(actual), v.name).to.equal(v.default);
    }
    expect(resolveConfig({ logger: silent }).environment).to.equal(ENV_VARIABLES.find((v) => v.name === 'NODE_ENV')?.default);
  });
});
