import { expect } from 'chai';
import type { User } from '../domain/types';
import { authorizationError, isAppError } from '../errors/app-error';
import type { AuditEvent } from './audit-event';
import { buildRequest, jsonOf, dispatchOwn } from '../http/http-test-kit';
import { testDatabaseTargets } from '../testing/test-databases';
import { gate, readTrail, useAuditCore, waitFor, type Gate } from './audit-test-kit';

const password = 'stream-password-1';

for (const target of testDatabaseTargets()) {
  describe(`audit stream and edge cases (${target.name})`, function () {
    this.timeout(60_000);

    describe('core.events.on("audit.recorded")', () => {
      let veto = false;
      const fx = useAuditCore(target, {
        hooks: {
          'user.created': () => {
            if (veto) throw authorizationError('closed');
          },
        },
      });

      it('delivers each committed row after commit, never a rolled-back one, and survives a throwing listener', async () => {
        const delivered: Array<{ event: AuditEvent; visible: boolean }> = [];
        const offGood = fx.core.events.on('audit.recorded', async (event) => {
          // After commit: the row is already visible to a fresh read.
          const visible = (await readTrail(fx.core, { type: event.type })).some((row) => row.id === event.id);
          delivered.push({ event, visible });
        });
        const offBad = fx.core.events.on('audit.recorded', () => {
          throw new Error('log pipeline down');
        });
        const user = await fx.core.services.users.register({ email: 'a@example.com', username: 'alpha', password });
        veto = true;
        await fx.core.services.users.register({ email: 'b@example.com', username: 'bravo', password }).catch(() => undefined);
        veto = false;
        await waitFor(() => delivered.length >= 1);
        await waitFor(() => fx.logger.messages('error').includes('event listener failed'));
        offGood();
        offBad();
        expect(delivered.map(({ event }) => [event.type, event.subject_user_id])).to.deep.equal([['user.created', user.id]]);
        expect(delivered[0]!.visible).to.equal(true);
        const [row] = await readTrail(fx.core, { subject_user_id: user.id });
        expect(delivered[0]!.event).to.deep.equal(row);
        expect((await readTrail(fx.core)).map((event) => event.subject_user_id)).to.deep.equal([user.id]);
      });
    });

    describe('lockout floods', () => {
      const lockout = { maxFailures: 2, baseDelaySeconds: 60 };
      const sampled = useAuditCore(target, { loginLockout: lockout });
      const everyRow = useAuditCore(target, { loginLockout: lockout, audit: { lockoutSampleSeconds: 0 } });

      async function flood(core: typeof sampled.core): Promise<{ locked: number; failed: number; refusals: number }> {
        await core.services.users.register({ email: 'victim@example.com', username: 'victim', password });
        let refusals = 0;
        for (let i = 0; i < 12; i += 1) {
          const error = await core.services.auth
            .login({ username: 'victim', password: 'not-the-password' }, { ipAddress: '203.0.113.50' })
            .catch((caught: unknown) => caught);
          if (isAppError(error) && error.code === 'rate_limit_error') refusals += 1;
        }
        return {
          locked: (await readTrail(core, { type: 'login.locked' })).length,
          failed: (await readTrail(core, { type: 'login.failed' })).length,
          refusals,
        };
      }

      it('writes one login.locked row per (account, client) per window, however many refusals', async () => {
        expect(await flood(sampled.core)).to.deep.equal({ locked: 1, failed: 2, refusals: 10 });
        const [row] = await readTrail(sampled.core, { type: 'login.locked' });
        expect(row).to.deep.include({ actor_user_id: null, ip_address: '203.0.113.50' });
        expect(row!.details.retry_after_seconds).to.be.within(1, 60);
      });

      it('writes one per refusal when sampling is off', async () => {
        expect(await flood(everyRow.core)).to.deep.equal({ locked: 10, failed: 2, refusals: 10 });
      });
    });

    describe('a request that times out mid-transaction', () => {
      const hold: { gate?: Gate; reached?: Gate; requestId?: string } = {};
      const fx = useAuditCore(target, {
        requestTimeoutMs: 2000,
        limiterEnabled: false,
        hooks: {
          // Parks the transaction right after its audit row is written, until the 504 is out.
          'audit.recorded': async (event) => {
            if (hold.gate && event.request_id === hold.requestId) {
              hold.reached?.open();
              await hold.gate.promise;
            }
          },
        },
      });
      let admin: User;
      let token: string;
      before(async () => {
        admin = await fx.core.services.users.createUser({ email: 'root@example.com', username: 'root', password, is_superuser: true });
        token = (await fx.core.services.auth.login({ username: 'root', password })).accessToken;
      });

      async function timeOut(requestId: string, method: 'PATCH' | 'POST', path: string, json: unknown): Promise<void> {
        Object.assign(hold, { gate: gate(), reached: gate(), requestId });
        const response = await dispatchOwn(fx.core.http, buildRequest({ method, path, token, json, headers: { 'x-request-id': requestId } }));
        expect(response.status).to.equal(504);
        expect(jsonOf(response).error).to.equal('request_timeout');
        await hold.reached!.promise; // the row was written inside the transaction before the timeout
        hold.gate!.open();
      }

      it('an update that times out after writing its row leaves neither the change nor the row', async () => {
        const user = await fx.core.services.users.createUser({ email: 'slow@example.com', username: 'slow', password }, admin);
        await timeOut('timeout-update', 'PATCH', `/api/v1/users/${user.id}`, { full_name: 'Timed Out' });
        // This write waits for the timed-out transaction to end (row lock / SQLite's writer
        // queue), so what follows sees its outcome.
        await fx.core.services.users.updateUser(admin, user.id, { full_name: 'After' });
        const trail = await readTrail(fx.core, { subject_user_id: user.id });
        expect(trail.map((event) => [event.type, event.request_id])).to.deep.equal([
          ['user.updated', null],
          ['user.created', null],
        ]);
        expect((await fx.core.services.users.getUser(admin, user.id)).full_name).to.equal('After');
      });

      it('a bulk create that times out after writing its rows leaves no user and no row', async () => {
        const items = [1, 2].map((i) => ({ email: `late${i}@example.com`, username: `late${i}`, password }));
        await timeOut('timeout-bulk', 'POST', '/api/v1/users/bulk', items);
        // Waits on the same unique keys (PostgreSQL) or the writer queue (SQLite), then succeeds.
        const users = await fx.core.services.users.bulkCreate(items, admin);
        const rows = (await readTrail(fx.core)).filter((event) => event.type === 'users.bulk_created' || users.some((u) => u.id === event.subject_user_id));
        expect(rows.map((event) => event.request_id)).to.deep.equal([null, null, null]);
        expect(rows.map((event) => event.type).sort()).to.deep.equal(['user.created', 'user.created', 'users.bulk_created']);
      });
    });
  });
}
