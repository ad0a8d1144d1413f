import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { expectError, expectIsoUtc, expectJson } from './assertions';
import type { Harness, SignedInUser } from './harness';

/** An audit event as a client reads it. */
interface AuditEventBody {
  id: number;
  type: string;
  occurred_at: string;
  actor_user_id: number | null;
  subject_user_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

interface AuditPageBody {
  items: AuditEventBody[];
  next_cursor: string | null;
}

/** The audit trail's routes and what the adapters hand it (request id, client IP, user agent); signups per day. */
export function auditSuite(h: Harness): void {
  let admin: SignedInUser;
  before(async () => {
    admin = await h.signIn({ superuser: true });
  });

  /** Every page of `GET /audit-events?<query>`, following the cursors. */
  async function allPages(query: Record<string, string>): Promise<AuditPageBody[]> {
    const pages: AuditPageBody[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.client.get(h.api('/audit-events')).query({ ...query, ...(cursor ? { cursor } : {}) });
      const page = expectJson<AuditPageBody>(res, 200);
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor && pages.length < 50);
    return pages;
  }

  describe('recording over HTTP', () => {
    it('a PATCH writes one user.updated row with the request id, client IP and user agent the adapter saw', async () => {
      const { user } = await h.createUser();
      const requestId = `audit-${randomUUID()}`;
      const res = await admin.client.patch(h.api(`/users/${user.id}`), { is_active: false }).set('X-Request-ID', requestId);
      expectJson(res, 200);
      const [page] = await allPages({ subject_user_id: String(user.id), type: 'user.updated' });
      expect(page!.items).to.have.length(1);
      expect(page!.items[0]).to.deep.include({
        actor_user_id: admin.user.id,
        subject_user_id: user.id,
        ip_address: admin.client.ip,
        user_agent: 'conformance-agent/1.0',
        request_id: requestId,
        details: { changed: ['is_active'], flags: { is_active: { old: true, new: false } } },
      });
      expectIsoUtc(page!.items[0]!.occurred_at);
    });

    it('a failed login writes login.failed with its reason, anonymously, and answers 401 as before', async () => {
      const { user } = await h.createUser();
      const client = h.client();
      const res = await client.post(h.api('/auth/login'), { username: user.username, password: 'not-the-password' });
      expectError(res, 401, 'authentication_error');
      const [page] = await allPages({ subject_user_id: String(user.id), type: 'login.failed' });
      expect(page!.items.map((event) => [event.actor_user_id, event.ip_address, event.request_id, event.details])).to.deep.equal([
        [null, client.ip, res.headers['x-request-id'], { reason: 'wrong_password' }],
      ]);
    });
  });

  describe('GET /audit-events', () => {
    it('pages newest first by cursor, without repeats, to a last page with next_cursor null', async () => {
      const { user } = await h.createUser();
      for (let i = 0; i < 4; i += 1) expectJson(await admin.client.patch(h.api(`/users/${user.id}`), { full_name: `Name ${i}` }), 200);
      const pages = await allPages({ subject_user_id: String(user.id), size: '2' });
      expect(pages.map((page) => page.items.length)).to.deep.equal([2, 2, 1]);
      const items = pages.flatMap((page) => page.items);
      expect(items.map((event) => event.type)).to.deep.equal(['user.updated', 'user.updated', 'user.updated', 'user.updated', 'user.created']);
      expect(new Set(items.map((event) => event.id)).size).to.equal(5);
      const times = items.map((event) => Date.parse(event.occurred_at));
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
    });

    it('answers 401 without a token, 403 to a normal user and 422 for a bad cursor or filter', async () => {
      expectError(await h.client().get(h.api('/audit-events')), 401, 'authentication_error');
      const me = await h.signIn();
      expectError(await me.client.get(h.api('/audit-events')), 403, 'authorization_error');
      const bad = expectError(await admin.client.get(h.api('/audit-events')).query({ cursor: 'nope', since: 'last week', size: '0' }), 422, 'validation_error');
      expect(bad.details.map((detail) => detail.field)).to.have.members(['query.cursor', 'query.since', 'query.size']);
    });
  });

  describe('GET /audit-events/export', () => {
    it('streams CSV with the formula guard, and records the export itself', async () => {
      const { user } = await h.createUser();
      expectJson(await admin.client.patch(h.api(`/users/${user.id}`), { full_name: 'X' }).set('User-Agent', '=cmd|calc'), 200);
      const res = await admin.client.get(h.api('/audit-events/export')).query({ format: 'csv', subject_user_id: String(user.id) });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      expect(res.headers['content-disposition']).to.match(/^attachment; filename=audit_events_\d{8}_\d{6}\.csv$/);
      const lines = res.text.split('\r\n');
      expect(lines[0]).to.equal('id,type,occurred_at,actor_user_id,subject_user_id,ip_address,user_agent,request_id,details');
      expect(lines).to.have.length(4); // header, user.updated, user.created, final line break
      expect(lines[1]).to.include(",user.updated,").and.include(",'=cmd|calc,");
      const [page] = await allPages({ type: 'export.run', actor_user_id: String(admin.user.id), size: '1' });
      expect(page!.items[0]!.details).to.deep.equal({ export: 'audit_events', format: 'csv', filters: { subject_user_id: user.id } });
    });

    it('streams every match as JSON', async () => {
      const { user } = await h.createUser();
      const res = await admin.client.get(h.api('/audit-events/export')).query({ subject_user_id: String(user.id) }).buffer(true);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      const body = JSON.parse(res.text) as { exported_at: string; events: AuditEventBody[] };
      expectIsoUtc(body.exported_at);
      expect(body.events.map((event) => [event.type, event.subject_user_id])).to.deep.equal([['user.created', user.id]]);
    });
  });

  describe('GET /dashboard/signups', () => {
    it('counts today’s signups, fills the other days with zeros, and is fresh right after a registration', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const path = h.api('/dashboard/signups');
      const first = expectJson<{ days: Array<{ date: string; count: number }> }>(await admin.client.get(path).query({ days: '3' }), 200);
      expect(first.days).to.have.length(3);
      if (first.days[2]!.date !== today) return; // UTC midnight passed between the two reads
      expect(first.days[2]!.count).to.be.greaterThan(0);
      const hit = await admin.client.get(path).query({ days: '3' });
      expect(hit.headers['x-cache']).to.equal('HIT');
      await h.createUser();
      const fresh = await admin.client.get(path).query({ days: '3' });
      expect(fresh.headers['x-cache']).to.equal('MISS');
      expect(fresh.body.days[2].count).to.equal(first.days[2]!.count + 1);
      expect((await admin.client.get(path).query({ days: '3' })).headers['x-cache']).to.equal('HIT');
      expectError(await admin.client.get(path).query({ days: '366' }), 422, 'validation_error');
    });
  });
}
