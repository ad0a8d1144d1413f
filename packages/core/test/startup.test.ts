import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, type CoreOptions } from '../src/config/options';
import { StartupError } from '../src/config/startup-error';
import { createCore } from '../src/create-core';
import { loadOptionalPeer, type OptionalPeer } from '../src/database/optional-peer';
import { silentLogger } from '../src/logger/logger';

const base: CoreOptions = { environment: 'test', bcryptRounds: 4, migrate: true, logger: silentLogger };

/** The error createCore fails with; fails the test if it settles otherwise or not within 20 s. */
async function startupFailure(options: CoreOptions): Promise<Error> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('createCore did not settle within 20 s')), 20_000);
  });
  try {
    const core = await Promise.race([createCore({ ...base, ...options }), deadline]);
    await core.close();
  } catch (error) {
    return error as Error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('createCore succeeded');
}

describe('createCore start-up failures', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'app-startup-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a SQLite path that is a directory, naming DATABASE_URL', async () => {
    const error = await startupFailure({ database: { url: `sqlite:${dir}` } });
    expect(error).to.be.instanceOf(StartupError);
    expect(error.message).to.equal(`DATABASE_URL: ${dir} is a directory, not a SQLite file`);
  });

  it('refuses a SQLite file whose folder cannot be created', async () => {
    const error = await startupFailure({ database: { url: 'sqlite:/dev/null/app.sqlite' } });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.match(/^DATABASE_URL names a SQLite file whose folder \/dev\/null cannot be created \(E[A-Z]+\)$/);
  });

  it('refuses an unreachable PostgreSQL server without echoing the password', async () => {
    const error = await startupFailure({ database: { url: 'postgres://app:s3cret@127.0.0.1:1/app' } });
    expect(error).to.be.instanceOf(StartupError);
    expect(error.message).to.equal('DATABASE_URL: connection refused by PostgreSQL at 127.0.0.1:1 (is the server running?)');
  });

  it('gives up on a server that accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await startupFailure({ database: { url: `postgres://app:s3cret@127.0.0.1:${port}/app` } });
      expect(error).to.be.instanceOf(StartupError);
      expect(error.message).to.equal(`DATABASE_URL: PostgreSQL at 127.0.0.1:${port} did not answer (connection timed out)`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  if (process.env.TEST_DATABASE_URL) {
    it('refuses a PostgreSQL database that does not exist', async () => {
      const url = new URL(process.env.TEST_DATABASE_URL as string);
      const name = `app_missing_${randomBytes(4).toString('hex')}`;
      url.pathname = `/${name}`;
      const error = await startupFailure({ database: { url: url.toString() } });
      expect(error).to.be.instanceOf(StartupError);
      expect(error.message).to.equal(`DATABASE_URL: the database "${name}" does not exist on PostgreSQL at ${url.hostname}:${url.port || '5432'}`);
    });
  }

  it('refuses a host migration named like a core one before opening anything', async () => {
    const clash = { name: '0001-create-users', up: async () => undefined, down: async () => undefined };
    const error = await startupFailure({ database: { url: `sqlite:${join(dir, 'never.sqlite')}` }, migrations: [clash] });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.contain("'0001-create-users'");
  });

  it('refuses database.schema on SQLite', async () => {
    const error = await startupFailure({ database: { url: 'sqlite::memory:', schema: 'identity' } });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.contain('database.schema: is only supported on PostgreSQL');
  });
});

describe('loadOptionalPeer', () => {
  it('names the variable and the package to install when the driver is missing', () => {
    const missing = 'app-core-no-such-driver' as OptionalPeer;
    expect(() => loadOptionalPeer(missing, 'DATABASE_URL is a postgres:// URL')).to.throw(
      ConfigError,
      "DATABASE_URL is a postgres:// URL but the 'app-core-no-such-driver' package is not installed: npm install app-core-no-such-driver",
    );
  });

  it('returns the driver when it is installed', () => {
    expect(loadOptionalPeer<{ Client: unknown }>('pg', 'DATABASE_URL is a postgres:// URL').Client).to.be.a('function');
  });
});
