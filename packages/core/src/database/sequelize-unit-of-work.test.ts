import { expect } from 'chai';
import type { NewUser } from '../domain/types';
import { AppError, isAppError, timeoutError } from '../errors/app-error';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

const row = (name: string): NewUser => ({ email: `${name}@example.com`, username: name, hashed_password: 'h' });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected a rejection');
}

const targets = [
  ...testDatabaseTargets(),
  // The shared-connection case: every transaction must see the same in-memory database.
  { name: 'sqlite::memory:' as const, create: async () => ({ url: 'sqlite::memory:', drop: async () => undefined }) },
];

for (const target of targets) {
  describe(`SequelizeUnitOfWork (${target.name})`, () => {
    const fx = useDatabaseFixture(target);

    beforeEach(() => fx.truncate());

    describe('run', () => {
      it('commits every statement of the work together', async () => {
        const result = await fx.uow.run(async () => {
          const user = await fx.users.create(row('alice'));
          await fx.sessions.create({ user_id: user.id, jti: 'j-alice', expires_at: new Date(Date.now() + 60_000), absolute_expires_at: new Date(Date.now() + 60_000), refresh_token_hash: 'h' });
          return user.id;
        });
        expect(await fx.users.getById(result)).to.not.equal(null);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });

      it('rolls everything back when the work throws, and rethrows the error', async () => {
        const failure = new Error('boom');
        const error = await rejection(
          fx.uow.run(async () => {
            await fx.users.create(row('bob'));
            throw failure;
          }),
        );
        expect(error).to.equal(failure);
        expect(await fx.users.count()).to.equal(0);
      });

      it('rolls back and reports 409 when a statement violates a unique index', async () => {
        await fx.users.create(row('taken'));
        const error = await rejection(
          fx.uow.run(async () => {
            await fx.users.create(row('fresh'));
            await fx.users.create({ ...row('TAKEN'), email: 'other@example.com' });
          }),
        );
        expect(isAppError(error) && error.code).to.equal('conflict_error');
        expect(await fx.users.count()).to.equal(1);
      });

      it('joins the outer transaction from a nested run, so an outer failure undoes both', async () => {
        let inner: unknown;
        await rejection(
          fx.uow.run(async () => {
            await fx.users.create(row('outer'));
            await fx.uow.run(async () => {
              inner = fx.uow.queryOptions().transaction;
              await fx.users.create(row('inner'));
            });
            expect(fx.uow.queryOptions().transaction).to.equal(inner);
            throw new Error('outer fails after the nested run returned');
          }),
        );
        expect(inner).to.not.equal(undefined);
        expect(await fx.users.count()).to.equal(0);
      });

      it('leaves no rows when the request times out mid-way, and reports the timeout', async () => {
        const controller = new AbortController();
        const error = await rejection(
          fx.executionContext.run({ signal: controller.signal }, () =>
            fx.uow.run(async () => {
              await fx.users.create(row('first'));
              controller.abort(timeoutError(30_000));
              await fx.users.create(row('second'));
            }),
          ),
        );
        expect(isAppError(error) && error.code).to.equal('request_timeout');
        expect((error as AppError).message).to.equal('Request exceeded 30.0s timeout');
        expect(await fx.users.count()).to.equal(0);
      });

      it('rolls back instead of committing when the signal fires after the last statement', async () => {
        const controller = new AbortController();
        const error = await rejection(
          fx.executionContext.run({ signal: controller.signal }, () =>
            fx.uow.run(async () => {
              await fx.users.create(row('late'));
              controller.abort();
            }),
          ),
        );
        expect(isAppError(error) && error.code).to.equal('request_timeout');
        expect(await fx.users.count()).to.equal(0);
      });

      it('does not start when the signal has already fired', async () => {
        const controller = new AbortController();
        controller.abort(timeoutError(1000));
        let ran = false;
        const error = await rejection(
          fx.executionContext.run({ signal: controller.signal }, () =>
            fx.uow.run(async () => {
              ran = true;
            }),
          ),
        );
        expect(ran).to.equal(false);
        expect(isAppError(error) && error.code).to.equal('request_timeout');
      });

      it('runs concurrent transactions without losing or mixing their rows', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, (_, index) =>
            fx.uow.run(async () => {
              await fx.users.create(row(`c${index}`));
              await new Promise((resolve) => setTimeout(resolve, 2));
              if (index % 2 === 1) throw new Error('odd ones fail');
              await fx.users.update((await fx.users.getByUsername(`c${index}`))!.id, { full_name: `C ${index}` });
            }),
          ),
        );
        expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(
          Array.from({ length: 8 }, (_, index) => (index % 2 === 1 ? 'rejected' : 'fulfilled')),
        );
        const names = (await fx.users.listAfterId(0, 100)).map((user) => user.username).sort();
        expect(names).to.deep.equal(['c0', 'c2', 'c4', 'c6']);
      });

      it('keeps plain statements of other requests out of an open transaction that then rolls back', async () => {
        let release!: () => void;
        let inserted!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const pendingInserted = new Promise<void>((resolve) => (inserted = resolve));
        const open = fx.uow.run(async () => {
          await fx.users.create(row('pending'));
          inserted();
          await gate;
          throw new Error('rolled back');
        });
        // The transaction holds its uncommitted row before anyone else runs.
        await pendingInserted;
        // Another request, outside any transaction: it must neither fail nor be swallowed by
        // the rollback (with sqlite::memory: it shares the connection, so it has to wait).
        const outside = fx.users.create(row('outside'));
        const count = fx.users.count();
        setTimeout(release, 20);
        await rejection(open);
        await outside;
        expect(await count).to.be.oneOf([0, 1]);
        expect((await fx.users.listAfterId(0, 10)).map((user) => user.username)).to.deep.equal(['outside']);
      });
    });

    describe('commit reporting', () => {
      it('reports a commit when the transaction commits, never for its statements, reads or a rollback', async () => {
        let commits = 0;
        await fx.executionContext.run({ onCommit: () => (commits += 1) }, async () => {
          await fx.users.count();
          await rejection(
            fx.uow.run(async () => {
              await fx.users.create(row('rolled'));
              throw new Error('rolled back');
            }),
          );
          expect(commits, 'a read and a rollback').to.equal(0);
          await fx.uow.run(async () => {
            await fx.users.create(row('kept'));
            expect(commits, 'a statement inside the transaction').to.equal(0);
          });
          expect(commits, 'the commit').to.equal(1);
        });
      });

      it('reports a write outside any transaction before it runs, and refuses one whose scope aborted meanwhile', async () => {
        const controller = new AbortController();
        let commits = 0;
        await fx.executionContext.run({ signal: controller.signal, onCommit: () => (commits += 1) }, async () => {
          await fx.users.create(row('auto'));
          expect(commits).to.equal(1);
          // Aborted after the statement was accepted but before it reached the database.
          const late = fx.users.create(row('late'));
          controller.abort(timeoutError(1000));
          const error = await rejection(late);
          expect(isAppError(error) && error.code).to.equal('request_timeout');
        });
        expect(commits).to.equal(1);
        expect((await fx.users.listAfterId(0, 10)).map((user) => user.username)).to.deep.equal(['auto']);
      });
    });

    describe('queryOptions', () => {
      it('carries the open transaction inside run and nothing outside', async () => {
        expect(fx.uow.queryOptions()).to.deep.equal({});
        await fx.uow.run(async () => {
          expect(fx.uow.queryOptions().transaction).to.not.equal(undefined);
        });
      });
    });

    describe('afterCommit', () => {
      it('runs callbacks after the commit, once, and never after a rollback', async () => {
        const ran: string[] = [];
        await fx.uow.run(async () => {
          fx.uow.afterCommit(() => ran.push('committed'));
          await fx.uow.run(async () => fx.uow.afterCommit(() => ran.push('nested')));
          await fx.users.create(row('after-commit'));
          // Inside the transaction nothing has run yet.
          expect(ran).to.deep.equal([]);
        });
        expect(ran).to.deep.equal(['committed', 'nested']);
        await rejection(
          fx.uow.run(async () => {
            fx.uow.afterCommit(() => ran.push('rolled back'));
            throw new Error('fails');
          }),
        );
        expect(ran).to.deep.equal(['committed', 'nested']);
        fx.uow.afterCommit(() => ran.push('outside'));
        expect(ran).to.deep.equal(['committed', 'nested', 'outside']);
      });
    });

    describe('query', () => {
      it('runs raw SQL inside the open transaction, so it rolls back with it', async () => {
        await rejection(
          fx.uow.run(async () => {
            await fx.users.create(row('raw'));
            const seen = await fx.uow.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users WHERE username = :name', { name: 'raw' });
            expect(Number(seen[0]!.n)).to.equal(1);
            throw new Error('roll back');
          }),
        );
        const after = await fx.uow.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
        expect(Number(after[0]!.n)).to.equal(0);
      });
    });
  });
}
