import { expect } from 'chai';
import type { User } from '../domain/types';
import { authorizationError, isAppError } from '../errors/app-error';
import type { CoreHooks } from '../events/core-events';
import { buildRequest } from '../http/http-test-kit';
import { testDatabaseTargets } from '../testing/test-databases';
import type { AuditEvent } from './audit-event';
import { gate, readTrail, useAuditCore } from './audit-test-kit';

/** What the host hooks of these cores consult: names whose update is vetoed, a gate on audit rows. */
interface Controls {
  vetoNames: Set<string>;
  /** Called inside the transaction after each audit row is written. */
  onRecorded?: (event: AuditEvent) => Promise<void>;
}

function hostHooks(controls: Controls): CoreHooks {
  return {
    'user.updated': ({ user }) => {
      if (user.full_name !== null && controls.vetoNames.has(user.full_name)) throw authorizationError('Vetoed by the host');
    },
    'audit.recorded': async (event) => controls.onRecorded?.(event),
  };
}

const password = 'first-password-1';
const ofType = (events: AuditEvent[], type: string) => events.filter((event) => event.type === type);

for (const target of testDatabaseTargets()) {
  describe(`audit trail (${target.name})`, function () {
    this.timeout(60_000);
    const controls: Controls = { vetoNames: new Set() };
    const fx = useAuditCore(target, { hooks: hostHooks(controls), limiterEnabled: false });
    let admin: User;
    let counter = 0;
    const newUser = async (extra: Record<string, unknown> = {}) => {
      counter += 1;
      return fx.core.services.users.createUser({ email: `u${counter}@example.com`, username: `user${counter}`, password, ...extra }, admin);
    };
    let adminToken: string;
    before(async () => {
      admin = await fx.core.services.users.createUser({ email: 'root@example.com', username: 'root', password, is_superuser: true });
      adminToken = (await fx.core.services.auth.login({ username: 'root', password })).accessToken;
    });
    afterEach(() => {
      controls.vetoNames.clear();
      controls.onRecorded = undefined;
      fx.hasher.hold = undefined;
    });

    describe('a committed change always has its event', () => {
      it('records registrations, admin creates, updates with flags, deletions', async () => {
        const registered = await fx.core.services.users.register({ email: 'reg@example.com', username: 'reg', password });
        const created = await newUser();
        await fx.core.services.users.updateUser(admin, created.id, { full_name: 'Renamed', is_active: false });
        await fx.core.services.users.deleteUser(admin, created.id);
        const [reg] = await readTrail(fx.core, { subject_user_id: registered.id });
        expect(reg).to.deep.include({ type: 'user.created', actor_user_id: null, details: { source: 'register' } });
        const trail = await readTrail(fx.core, { subject_user_id: created.id });
        expect(trail.map((event) => event.type)).to.deep.equal(['user.deleted', 'user.updated', 'user.created']);
        expect(trail.every((event) => event.actor_user_id === admin.id)).to.equal(true);
        expect(trail[0]!.details).to.deep.equal({ username: created.username });
        expect(trail[1]!.details).to.deep.equal({ changed: ['full_name', 'is_active'], flags: { is_active: { old: true, new: false } } });
        expect(trail[2]!.details).to.deep.equal({ source: 'admin' });
      });

      it('records logins, each kind of failure, logouts and revocations with the client', async () => {
        const user = await newUser();
        const inactive = await newUser({ is_active: false });
        const client = { ipAddress: '198.51.100.7', userAgent: 'trail-test/1' };
        const login = () => fx.core.services.auth.login({ username: user.username, password }, client);
        const first = await login();
        const second = await login();
        for (const attempt of [
          { username: user.username, password: 'wrong-password' },
          { username: 'nobody-here', password: 'whatever-1' },
          { username: inactive.username, password },
        ]) {
          await fx.core.services.auth.login(attempt, client).catch((error: unknown) => expect(isAppError(error)).to.equal(true));
        }
        await fx.core.services.auth.revokeSession({ user: first.user, session: second.session }, second.session.id);
        await fx.core.services.auth.logoutAll({ user: first.user, session: first.session });

        const trail = await readTrail(fx.core, { since: first.session.created_at });
        const mine = trail.filter((event) => event.subject_user_id === user.id);
        expect(mine.map((event) => event.type)).to.deep.equal(['logout', 'session.revoked', 'login.failed', 'login.succeeded', 'login.succeeded']);
        expect(mine[3]).to.deep.include({ actor_user_id: user.id, ip_address: '198.51.100.7', user_agent: 'trail-test/1', details: { session_id: second.session.id } });
        expect(mine[2]!.details).to.deep.equal({ reason: 'wrong_password' });
        expect(mine[0]!.details).to.deep.equal({ reason: 'logout_all', session_count: 1, session_ids: [first.session.id] });
        const failures = ofType(trail, 'login.failed').map((event) => [event.subject_user_id, event.details.reason, event.actor_user_id]);
        expect(failures).to.have.deep.members([
          [user.id, 'wrong_password', null],
          [null, 'unknown_user', null],
          [inactive.id, 'inactive', null],
        ]);
      });

      it('records a bulk create as one row per user plus one for the batch, in one transaction', async () => {
        const items = [1, 2, 3].map((i) => ({ email: `bulk${i}@example.com`, username: `bulk${i}`, password }));
        const users = await fx.core.services.users.bulkCreate(items, admin);
        const [batch] = await readTrail(fx.core, { type: 'users.bulk_created' });
        expect(batch).to.deep.include({ actor_user_id: admin.id, subject_user_id: null, details: { count: 3, user_ids: users.map((u) => u.id) } });
        for (const user of users) {
          const [row] = await readTrail(fx.core, { subject_user_id: user.id });
          expect(row).to.deep.include({ type: 'user.created', details: { source: 'bulk', batch_size: 3 } });
        }
      });

      it('records an export before its first chunk, by whom', async () => {
        const before = (await readTrail(fx.core, { type: 'export.run' })).length;
        const chunks = fx.core.services.export.csv({ actor: admin })[Symbol.asyncIterator]();
        await chunks.next();
        const [run] = await readTrail(fx.core, { type: 'export.run' });
        expect((await readTrail(fx.core, { type: 'export.run' })).length).to.equal(before + 1);
        expect(run).to.deep.include({ actor_user_id: admin.id, details: { export: 'users', format: 'csv', filters: {} } });
        await chunks.return?.(undefined);
      });
    });

    describe('a rolled-back change leaves no event', () => {
      it('a host hook vetoing the change writes no row and keeps the user as it was', async () => {
        const user = await newUser();
        controls.vetoNames.add('Forbidden Name');
        const error = await fx.core.services.users.updateUser(admin, user.id, { full_name: 'Forbidden Name' }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('authorization_error');
        expect((await readTrail(fx.core, { subject_user_id: user.id })).map((event) => event.type)).to.deep.equal(['user.created']);
      });

      it('a veto after the audit row was written rolls both back', async () => {
        const user = await newUser();
        controls.onRecorded = async (event) => {
          if (event.type === 'user.deleted' && event.subject_user_id === user.id) throw authorizationError('Deletion blocked');
        };
        const error = await fx.core.services.users.deleteUser(admin, user.id).catch((e: unknown) => e);
        expect(isAppError(error) && error.message).to.equal('Deletion blocked');
        expect(await fx.core.services.users.getUser(admin, user.id)).to.include({ id: user.id });
        expect((await readTrail(fx.core, { subject_user_id: user.id })).map((event) => event.type)).to.deep.equal(['user.created']);
      });

      it('a bulk create that loses a race to a conflicting user inside its transaction leaves no row', async () => {
        const before = await readTrail(fx.core);
        fx.hasher.hold = gate();
        fx.hasher.reached = gate();
        const items = [1, 2].map((i) => ({ email: `race${i}@example.com`, username: `race${i}`, password: `gated-password-${i}` }));
        const bulk = fx.core.services.users.bulkCreate(items, admin).catch((error: unknown) => error);
        // The bulk create has passed its conflict check and is hashing: now take one of its emails.
        await fx.hasher.reached.promise;
        const rival = await fx.core.services.users.createUser({ email: 'race2@example.com', username: 'rival', password }, admin);
        fx.hasher.hold.open();
        const error = await bulk;
        expect(isAppError(error) && error.code).to.equal('conflict_error');
        const added = (await readTrail(fx.core)).filter((event) => !before.some((old) => old.id === event.id));
        expect(added.map((event) => [event.type, event.subject_user_id])).to.deep.equal([['user.created', rival.id]]);
      });
    });

    describe('concurrency', () => {
      it('50 concurrent updates, every other one vetoed: exactly one row per committed update, none for the others', async function () {
        const users = await Promise.all(Array.from({ length: 50 }, () => newUser()));
        for (let i = 1; i < 50; i += 2) controls.vetoNames.add(`Concurrent ${i}`);
        const since = new Date(Date.now() - 1000);
        const results = await Promise.allSettled(
          users.map((user, i) =>
            fx.core.http.dispatch(
              buildRequest({
                method: 'PATCH',
                path: `/api/v1/users/${user.id}`,
                token: adminToken,
                json: { full_name: `Concurrent ${i}` },
                headers: { 'x-request-id': `concurrent-${i}-${counter}` },
                ip: `198.51.100.${i + 1}`,
              }),
            ),
          ),
        );
        const statuses = results.map((result) => (result.status === 'fulfilled' ? (result.value?.status ?? 0) : 0));
        expect(statuses).to.deep.equal(users.map((_, i) => (i % 2 === 0 ? 200 : 403)));
        const rows = (await readTrail(fx.core, { type: 'user.updated', since })).filter((event) => event.request_id?.startsWith('concurrent-'));
        const expected = users.flatMap((user, i) => (i % 2 === 0 ? [[user.id, `concurrent-${i}-${counter}`, `198.51.100.${i + 1}`]] : []));
        expect(rows.map((event) => [event.subject_user_id, event.request_id, event.ip_address])).to.have.deep.members(expected);
        expect(rows).to.have.length(25);
      });
    });

    describe('secrets', () => {
      it('no password, hash, token or jti ever reaches the table', async () => {
        const user = await fx.core.services.users.register({ email: 'secret@example.com', username: 'secretive', password: 'secret-password-1' });
        const login = await fx.core.services.auth.login({ username: 'secretive', password: 'secret-password-1' });
        await fx.core.services.users.updateUser(
          login.user,
          user.id,
          { password: 'secret-password-2', current_password: 'secret-password-1' },
          login.session.id,
        );
        await fx.core.services.auth.login({ username: 'secretive', password: 'typed-wrong-secret' }).catch(() => undefined);
        // Someone typing their password into the username field.
        await fx.core.services.auth.login({ username: 'secret-password-2', password: 'x-password' }).catch(() => undefined);
        const login2 = await fx.core.services.auth.login({ email: 'secret@example.com', password: 'secret-password-2' });
        await fx.core.services.auth.logout(login2);
        const text = JSON.stringify(await readTrail(fx.core));
        const hashes = [fx.hasher.hash('secret-password-1'), fx.hasher.hash('secret-password-2')];
        for (const secret of ['secret-password-1', 'secret-password-2', 'typed-wrong-secret', ...(await Promise.all(hashes)), login.accessToken, login.session.jti, login2.session.jti]) {
          expect(text).to.not.include(secret);
        }
        expect(text).to.not.match(/sha256\$|eyJ/);
      });
    });
  });
}
