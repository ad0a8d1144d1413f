import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { AuditEvent, NewAuditEvent } from '../audit/audit-event';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';
import { SequelizeAuditEventRepository } from './sequelize-audit-event-repository';
import { queryPlan } from '../testing/query-plan';

const T0 = Date.parse('2026-01-15T10:30:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function event(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    type: 'user.updated',
    occurred_at: at(0),
    actor_user_id: 1,
    subject_user_id: 2,
    ip_address: '203.0.113.9',
    user_agent: 'test/1',
    request_id: 'req-1',
    details: { changed: ['full_name'] },
    ...overrides,
  };
}

for (const target of testDatabaseTargets()) {
  describe(`SequelizeAuditEventRepository (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    let repo: SequelizeAuditEventRepository;
    before(() => {
      repo = new SequelizeAuditEventRepository(fx.sequelize, fx.uow, fx.tables);
    });
    beforeEach(() => fx.sequelize.query('DELETE FROM audit_events'));

    describe('insert', () => {
      it('returns the rows with increasing ids in input order, and reads them back unchanged', async () => {
        const rows = [
          event({ type: 'a', occurred_at: at(1), details: { text: 'héllo ✓', nested: { n: 1 } } }),
          event({ type: 'b', actor_user_id: null, subject_user_id: null, ip_address: null, user_agent: null, request_id: null }),
          event({ type: 'c', occurred_at: new Date(T0 + 123) }),
        ];
        const inserted = await repo.insert(rows);
        expect(inserted.map((row) => row.type)).to.deep.equal(['a', 'b', 'c']);
        expect(inserted[1]!.id).to.equal(inserted[0]!.id + 1);
        expect(inserted[2]!.id).to.equal(inserted[1]!.id + 1);
        const read = await repo.page({ limit: 10 });
        const byId = new Map(read.map((row) => [row.id, row]));
        for (const row of inserted) expect(byId.get(row.id)).to.deep.equal(row);
      });

      it('writes many rows in a few statements', async () => {
        const inserted = await repo.insert(Array.from({ length: 1203 }, (_, i) => event({ occurred_at: at(i) })));
        expect(new Set(inserted.map((row) => row.id)).size).to.equal(1203);
        expect((await repo.page({ limit: 2000 })).length).to.equal(1203);
      });

      it('leaves nothing when the enclosing transaction rolls back', async () => {
        const failure = await fx.uow
          .run(async () => {
            await repo.insert([event()]);
            throw new Error('veto');
          })
          .catch((error: unknown) => error);
        expect((failure as Error).message).to.equal('veto');
        expect(await repo.page({ limit: 10 })).to.deep.equal([]);
      });
    });

    describe('page', () => {
      let all: AuditEvent[];
      beforeEach(async () => {
        // Two events share each second, so the id must break the tie.
        all = await repo.insert(
          Array.from({ length: 20 }, (_, i) =>
            event({ occurred_at: at(Math.floor(i / 2)), type: i % 3 === 0 ? 'login.failed' : 'user.updated', actor_user_id: i % 4, subject_user_id: i % 5 }),
          ),
        );
      });

      const newestFirst = (rows: AuditEvent[]) =>
        [...rows].sort((a, b) => b.occurred_at.getTime() - a.occurred_at.getTime() || b.id - a.id).map((row) => row.id);

      it('reads newest first, ties broken by id, and pages by cursor without gaps or repeats', async () => {
        const seen: number[] = [];
        let after: AuditEvent | undefined;
        for (let round = 0; round < 10; round += 1) {
          const page = await repo.page({ limit: 6, after });
          if (page.length === 0) break;
          seen.push(...page.map((row) => row.id));
          after = page[page.length - 1];
          // Events added while paging are newer than every cursor: they never shift a page.
          await repo.insert([event({ occurred_at: at(1000 + round) })]);
        }
        expect(seen).to.deep.equal(newestFirst(all));
      });

      it('filters by type, actor, subject and a half-open time range', async () => {
        const expectIds = async (request: Parameters<SequelizeAuditEventRepository['page']>[0], keep: (row: AuditEvent) => boolean) =>
          expect((await repo.page(request)).map((row) => row.id)).to.deep.equal(newestFirst(all.filter(keep)));
        await expectIds({ limit: 50, type: 'login.failed' }, (row) => row.type === 'login.failed');
        await expectIds({ limit: 50, actor_user_id: 3 }, (row) => row.actor_user_id === 3);
        await expectIds({ limit: 50, subject_user_id: 0 }, (row) => row.subject_user_id === 0);
        await expectIds({ limit: 50, since: at(3), until: at(7) }, (row) => row.occurred_at >= at(3) && row.occurred_at < at(7));
        await expectIds(
          { limit: 50, type: 'user.updated', actor_user_id: 1, since: at(2) },
          (row) => row.type === 'user.updated' && row.actor_user_id === 1 && row.occurred_at >= at(2),
        );
      });

      it('serves every filter from an index, without sorting', async () => {
        const requests = [
          { limit: 50 },
          { limit: 50, type: 'login.failed', after: all[5] },
          { limit: 50, actor_user_id: 3, after: all[5] },
          { limit: 50, subject_user_id: 2 },
          { limit: 50, since: at(3), until: at(7) },
        ];
        const expected = ['audit_events_occurred_at_id', 'audit_events_type_occurred_at_id', 'audit_events_actor_occurred_at_id', 'audit_events_subject_occurred_at_id', 'audit_events_occurred_at_id'];
        for (const [index, request] of requests.entries()) {
          const sql = await capture(fx.sequelize, () => repo.page(request));
          const plan = await queryPlan(fx.sequelize, sql);
          expect(plan, plan).to.include(expected[index]);
          expect(plan, plan).to.not.match(/TEMP B-TREE|Sort/i);
        }
      });
    });

    describe('deleteBefore', () => {
      it('deletes at most `limit` of the events before the cutoff, oldest first', async () => {
        await repo.insert(Array.from({ length: 10 }, (_, i) => event({ occurred_at: at(i) })));
        expect(await repo.deleteBefore(at(6), 4)).to.equal(4);
        expect((await repo.page({ limit: 20 })).map((row) => row.occurred_at.getTime())).to.not.include(at(3).getTime());
        expect(await repo.deleteBefore(at(6), 4)).to.equal(2);
        expect(await repo.deleteBefore(at(6), 4)).to.equal(0);
        const left = await repo.page({ limit: 20 });
        expect(left.map((row) => row.occurred_at.toISOString())).to.deep.equal([9, 8, 7, 6].map((s) => at(s).toISOString()));
      });
    });
  });
}

/** The SQL of the one SELECT `work` issues. */
async function capture(sequelize: Sequelize, work: () => Promise<unknown>): Promise<string> {
  const statements: string[] = [];
  sequelize.addHook('afterQuery', 'capture-audit', (_options, query) => void statements.push((query as unknown as { sql: string }).sql));
  await work().finally(() => sequelize.removeHook('afterQuery', 'capture-audit'));
  const select = statements.find((sql) => /^\s*SELECT/i.test(sql));
  if (!select) throw new Error('no SELECT issued');
  return select.replace(/;\s*$/, '');
}

