import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { z } from 'zod';
import { defineRoute } from '../../http/route';
import { expectError, expectJson } from './assertions';
import { Harness, uniqueName, type MountHost, type SignedInUser, type StorageTarget } from './harness';

/** A host route: through the same pipeline as the core's (auth, validation, limit, envelope). */
const noteRoute = defineRoute({
  id: 'host.notes.create',
  method: 'POST',
  path: '/host/notes/:id',
  auth: 'user',
  rateLimit: { limit: 2, windowMs: 60_000 },
  schemas: {
    params: z.object({ id: z.coerce.number().int().positive() }),
    body: z.object({ text: z.string().min(1) }),
    response: z.object({ id: z.number(), text: z.string(), author: z.number() }),
    successStatus: 201,
  },
  summary: 'Attach a note (a host route)',
  tags: ['host'],
  handler: async ({ params, body, auth }) => ({ body: { id: params.id, text: body.text, author: auth.user.id } }),
});

/** `createCore({ routes, disabledRoutes, rateLimits, healthPath })` as a client sees it. */
export function policySuite(target: StorageTarget, mount: MountHost): void {
  describe('host routes and route policy', () => {
    const h = new Harness(target, mount, {
      routes: [noteRoute],
      disabledRoutes: ['export.usersCsv'],
      rateLimits: { 'auth.register': { limit: 1, windowMs: 60_000 }, 'auth.me': false },
      healthPath: '/status',
    });
    let me: SignedInUser;
    before(async () => {
      await h.start();
      me = await h.signIn();
    });
    after(() => h.stop());

    it('serves a host route under the prefix with the core\'s auth, validation, limit and envelope', async () => {
      expectError(await h.client().post(h.api('/host/notes/1'), { text: 'x' }), 401, 'authentication_error');
      const invalid = expectError(await me.client.post(h.api('/host/notes/abc'), { text: '' }), 422, 'validation_error');
      expect(invalid.details.map((detail) => detail.field)).to.include.members(['path.id', 'body.text']);
      const created = await me.client.post(h.api('/host/notes/7'), { text: 'hello' });
      expect(expectJson(created, 201)).to.deep.equal({ id: 7, text: 'hello', author: me.user.id });
      // The refused 422 counted too: limits are taken before the body is read.
      expect(created.headers['ratelimit-remaining']).to.equal('0');
      expectError(await h.client().withToken(me.token).post(h.api('/host/notes/9'), { text: 'third' }), 429, 'rate_limit_error');
      expectError(await me.client.call('get', h.api('/host/notes/7')), 405, 'method_not_allowed');
    });

    it('lists the host route in the OpenAPI document', async () => {
      const doc = expectJson<{ paths: Record<string, Record<string, unknown>> }>(await h.client().get(h.api('/openapi.json')), 200);
      expect(doc.paths[h.api('/host/notes/{id}')]).to.have.property('post');
      expect(doc.paths).to.not.have.property(h.api('/export/users/csv'));
    });

    it('does not serve a disabled route, and applies the overridden limits', async () => {
      const admin = await h.signIn({ superuser: true });
      expectError(await admin.client.get(h.api('/export/users/csv')), 404, 'not_found_error');
      const client = h.client();
      const register = () => {
        const name = uniqueName('pol');
        return client.post(h.api('/auth/register'), { email: `${name}@example.com`, username: name, password: 'password-123' });
      };
      expectJson(await register(), 201);
      expectError(await register(), 429, 'rate_limit_error');
      const mine = await me.client.get(h.api('/auth/me'));
      expect(mine.status).to.equal(200);
      expect(mine.headers['ratelimit-limit'], 'auth.me has no limit any more').to.equal(undefined);
    });

    it('serves health where healthPath says, and leaves /health to the host', async () => {
      expectJson(await h.client().get('/status'), 200);
      const old = await h.client().get('/health');
      expect(old.status).to.equal(404);
      expect(old.body?.request_id, 'not the API\'s envelope').to.equal(undefined);
    });
  });
}
