import { expect } from 'chai';
import sinon from 'sinon';
import { encodeAuditCursor, type AuditEvent, type AuditPageRequest } from '../audit/audit-event';
import { createManualClock } from '../clock/clock';
import type { AuditEventRepository } from '../repositories/audit-event-repository';
import { AuditService } from './audit-service';
import { expectAppError, fakeUnitOfWork, makeUser, testConfig, testEventBus } from './service-fakes';

const T0 = Date.parse('2026-01-15T10:30:00.000Z');

function makeEvent(id: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    type: 'user.updated',
    occurred_at: new Date(T0 + id * 1000),
    actor_user_id: 1,
    subject_user_id: 2,
    ip_address: '203.0.113.9',
    user_agent: 'ua',
    request_id: `req-${id}`,
    details: { changed: ['full_name'] },
    ...overrides,
  };
}

/** A repository over an in-memory list, newest first, honouring the cursor and the limit. */
function setup(events: AuditEvent[] = []) {
  const sorted = [...events].sort((a, b) => b.occurred_at.getTime() - a.occurred_at.getTime() || b.id - a.id);
  const page = sinon.spy(async (request: AuditPageRequest) => {
    const after = request.after;
    return sorted
      .filter((event) => !request.type || event.type === request.type)
      .filter((event) => !after || event.occurred_at < after.occurred_at || (event.occurred_at.getTime() === after.occurred_at.getTime() && event.id < after.id))
      .slice(0, request.limit);
  });
  const repository = { insert: sinon.stub(), page, deleteBefore: sinon.stub() };
  const uow = fakeUnitOfWork();
  const events$ = testEventBus(uow);
  const clock = createManualClock(new Date('2026-03-01T00:00:00.000Z'));
  const service = new AuditService(repository as unknown as AuditEventRepository, uow, events$, clock, testConfig());
  return { service, repository, events: events$, clock };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

describe('AuditService', () => {
  describe('list', () => {
    it('pages newest first and hands out a cursor only when more follow', async () => {
      const { service, repository } = setup([1, 2, 3, 4, 5].map((id) => makeEvent(id)));
      const first = await service.list({ size: '2' });
      expect(first.items.map((event) => event.id)).to.deep.equal([5, 4]);
      expect(repository.page.firstCall.args[0]).to.include({ limit: 3 });
      const second = await service.list({ size: 2, cursor: first.next_cursor! });
      expect(second.items.map((event) => event.id)).to.deep.equal([3, 2]);
      const last = await service.list({ size: 2, cursor: second.next_cursor! });
      expect(last).to.deep.equal({ items: [makeEvent(1)], next_cursor: null });
    });

    it('passes the filters as typed values, since and until as instants', async () => {
      const { service, repository } = setup();
      await service.list({ type: 'login.failed', actor_user_id: '3', subject_user_id: 4, since: '2026-01-01', until: '2026-01-02T12:00:00+02:00' });
      expect(repository.page.firstCall.args[0]).to.deep.include({
        type: 'login.failed',
        actor_user_id: 3,
        subject_user_id: 4,
        since: new Date('2026-01-01T00:00:00.000Z'),
        until: new Date('2026-01-02T10:00:00.000Z'),
        limit: 51,
      });
    });

    it('refuses a bad cursor, size, type, id or instant with 422 naming each', async () => {
      const { service } = setup();
      const error = await expectAppError(
        service.list({ cursor: 'bm90LWEtY3Vyc29y', size: 101, type: 'Login Failed', actor_user_id: '0', since: 'yesterday' }),
        'validation_error',
      );
      expect(error.details.map((detail) => detail.field)).to.have.members(['cursor', 'size', 'type', 'actor_user_id', 'since']);
      await expectAppError(service.list({ cursor: encodeAuditCursor({ occurred_at: new Date(T0), id: 1 }).slice(0, -2) }), 'validation_error');
    });
  });

  describe('exports', () => {
    const tricky = makeEvent(7, { user_agent: '=HYPERLINK("http://evil")', details: { changed: ['email'] }, actor_user_id: null });

    it('records export.run with the filters before the first chunk, then streams every match as JSON', async () => {
      const { service, events } = setup([makeEvent(1), makeEvent(2), tricky]);
      const admin = makeUser({ id: 9, is_superuser: true });
      const iterator = service.json({ type: 'user.updated', since: '2026-01-01' }, { actor: admin, batchSize: 2 })[Symbol.asyncIterator]();
      expect(events.emitted).to.deep.equal([]);
      const head = await iterator.next();
      expect(events.emitted).to.deep.equal([
        { event: 'export.run', payload: { actor: admin, export: 'audit_events', format: 'json', filters: { type: 'user.updated', since: '2026-01-01T00:00:00.000Z' } } },
      ]);
      const rest: string[] = [];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
      const document = JSON.parse(head.value + rest.join(''));
      expect(document.exported_at).to.equal('2026-03-01T00:00:00.000Z');
      expect(document.events.map((event: { id: number }) => event.id)).to.deep.equal([7, 2, 1]);
      expect(document.events[2]).to.deep.equal({ ...makeEvent(1), occurred_at: new Date(T0 + 1000).toISOString() });
    });

    it('writes CSV with a header, details as JSON text and formula-guarded text cells', async () => {
      const { service } = setup([makeEvent(1), tricky]);
      const lines = (await collect(service.csv())).join('').split('\r\n');
      expect(lines[0]).to.equal('id,type,occurred_at,actor_user_id,subject_user_id,ip_address,user_agent,request_id,details');
      expect(lines[1]).to.equal(`7,user.updated,${new Date(T0 + 7000).toISOString()},,2,203.0.113.9,"'=HYPERLINK(""http://evil"")",req-7,"{""changed"":[""email""]}"`);
      expect(lines).to.have.length(4);
      expect(lines[3]).to.equal('');
    });

    it('validates the filters before recording anything', async () => {
      const { service, events } = setup();
      await expectAppError(collect(service.csv({ since: 'soon' })), 'validation_error');
      expect(events.emitted).to.deep.equal([]);
    });
  });

  describe('purge', () => {
    it('deletes batch after batch, each in its own unit of work, until one comes back short', async () => {
      const { service, repository } = setup();
      repository.deleteBefore.onCall(0).resolves(100).onCall(1).resolves(100).onCall(2).resolves(7);
      const result = await service.purge({ batchSize: 100 });
      expect(result).to.deep.equal({ deleted: 207, cutoff: new Date(Date.parse('2026-03-01T00:00:00.000Z') - 365 * 86_400_000) });
      expect(repository.deleteBefore.callCount).to.equal(3);
      expect(repository.deleteBefore.firstCall.args).to.deep.equal([result.cutoff, 100]);
    });

    it('uses the configured retention and stops between batches once aborted', async () => {
      const { service, repository } = setup();
      const controller = new AbortController();
      repository.deleteBefore.callsFake(async () => {
        controller.abort();
        return 5000;
      });
      const result = await service.purge({ retentionDays: 30, signal: controller.signal });
      expect(result.deleted).to.equal(5000);
      expect(repository.deleteBefore.callCount).to.equal(1);
      expect(result.cutoff.toISOString()).to.equal('2026-01-30T00:00:00.000Z');
    });
  });
});
