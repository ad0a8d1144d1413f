import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { testDatabaseTargets, type TestDatabase } from '@app/core/testing';

const HOST_APP = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/core/src/cli/main.ts', import.meta.url));
// tsx reads the tsconfig of the working directory (decorators, @app/* paths): name the repository's.
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
const TSX = import.meta.resolve('tsx');
const run = promisify(execFile);

/** Runs `app-core` from the host app's folder, as `npx app-core` would, finding its config module there; rejects on a non-zero exit. */
function appCore(args: string[], databaseUrl: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: HOST_APP,
    env: { PATH: process.env.PATH, TSX_TSCONFIG_PATH: TSCONFIG, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
  });
}

for (const target of testDatabaseTargets()) {
  describe(`the host app's config module and the app-core CLI (${target.name})`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    before(async () => {
      db = await target.create();
    });
    after(async () => {
      await db?.drop();
    });

    it('migrates what the app runs: the core’s tables under auth_, then the tenant_id migration', async () => {
      const up = await appCore(['migrate', 'up'], db.url);
      expect(up.stderr).to.equal('');
      expect(up.stdout).to.match(/^Applied \d+ migration\(s\): 0001-create-users, .*, host-0001-add-tenant-id\n$/);
      const status = await appCore(['migrate', 'status'], db.url);
      expect(status.stdout).to.match(/applied {2}host-0001-add-tenant-id\n\d+ applied, 0 pending\n$/);
      const sequelize = new Sequelize(db.url, { logging: false });
      try {
        const [rows] = await sequelize.query('SELECT email, tenant_id FROM auth_users');
        expect(rows).to.deep.equal([]);
      } finally {
        await sequelize.close();
      }
    });
  });
}
