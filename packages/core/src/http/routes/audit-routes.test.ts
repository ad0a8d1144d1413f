import { expect } from 'chai';
import { createTestApi, jsonOf, textOf, type TestApi } from '../http-test-kit';

const at = new Date('2026-01-15T10:30:00.123Z');
const event = {
  id: 8,
  type: 'login.failed',
  occurred_at: at,
  actor_user_id: null,
  subject_user_id: 3,
  ip_address: '203.0.113.9',
  user_agent: 'curl/8',
  request_id: 'req-8',
  details: { reason: 'wrong_password' },
};

async function* chunks(...parts: string[]) {
  for (const part of parts) yield part;
}

describe('audit and signups routes', () => {
  let t: TestApi;
  beforeEach(() => {
    t = createTestApi();
  });
  afterEach(() => t.close());

  describe('GET /audit-events', () => {
    it('hands the parsed filters to the service and answers items with ISO times and the cursor', async () => {
      t.services.audit.list.resolves({ items: [event], next_cursor: 'abc' });
      const response = await t.call('audit.list', {
        token: 'admin-token',
        query: { type: 'login.failed', subject_user_id: '3', since: '2026-01-01', size: '10' },
      });
      expect(response.status).to.equal(200);
      expect(jsonOf(response)).to.deep.equal({ items: [{ ...event, occurred_at: '2026-01-15T10:30:00.123Z' }], next_cursor: 'abc' });
      expect(t.services.audit.list.firstCall.args[0]).to.deep.include({
        type: 'login.failed',
        subject_user_id: 3,
        since: new Date('2026-01-01T00:00:00.000Z'),
        size: 10,
      });
    });

    it('answers 422 naming query.cursor and query.size, and 403 to a normal user', async () => {
      const bad = await t.call('audit.list', { token: 'admin-token', query: { cursor: '!!', size: '500' } });
      expect(bad.status).to.equal(422);
      expect(jsonOf(bad).details.map((detail: { field: string }) => detail.field)).to.have.members(['query.cursor', 'query.size']);
      expect((await t.call('audit.list', { token: 'user-token' })).status).to.equal(403);
      expect(t.services.audit.list.called).to.equal(false);
    });
  });

  describe('GET /audit-events/export', () => {
    it('streams CSV as an attachment and passes the actor and the filters', async () => {
      t.services.audit.csv.returns(chunks('id,type\r\n', '8,login.failed\r\n'));
      const response = await t.call('audit.export', { token: 'admin-token', query: { format: 'csv', actor_user_id: '2' } });
      expect(response.headers['Content-Type']).to.equal('text/csv; charset=utf-8');
      expect(response.headers['Content-Disposition']).to.match(/^attachment; filename=audit_events_\d{8}_\d{6}\.csv$/);
      expect(await textOf(response)).to.equal('id,type\r\n8,login.failed\r\n');
      const [filters, options] = t.services.audit.csv.firstCall.args;
      expect(filters).to.deep.equal({ actor_user_id: 2 });
      expect(options!.actor!.id).to.equal(2);
    });

    it('streams JSON by default and refuses another format', async () => {
      t.services.audit.json.returns(chunks('{"exported_at":"x",', '"events":[]}'));
      const response = await t.call('audit.export', { token: 'admin-token' });
      expect(response.headers['Content-Type']).to.equal('application/json; charset=utf-8');
      expect(JSON.parse(await textOf(response))).to.deep.equal({ exported_at: 'x', events: [] });
      const xml = await t.call('audit.export', { token: 'admin-token', query: { format: 'xml' } });
      expect(jsonOf(xml).details[0].field).to.equal('query.format');
    });
  });

  describe('GET /dashboard/signups', () => {
    it('answers the series with X-Cache and validates days', async () => {
      const signups = { days: [{ date: '2026-01-15', count: 2 }] };
      t.services.dashboard.getSignups.resolves({ signups, cached: true });
      const hit = await t.call('dashboard.signups', { token: 'admin-token', query: { days: '1' } });
      expect(jsonOf(hit)).to.deep.equal(signups);
      expect(hit.headers['X-Cache']).to.equal('HIT');
      expect(t.services.dashboard.getSignups.firstCall.args[0]).to.deep.equal({ days: 1 });
      const bad = await t.call('dashboard.signups', { token: 'admin-token', query: { days: '366' } });
      expect(jsonOf(bad).details[0].field).to.equal('query.days');
    });
  });
});
