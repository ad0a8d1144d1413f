import { expect } from 'chai';
import { AppError } from '../errors/app-error';
import { UserService } from './user-service';
import {
  expectAppError,
  fakeCache,
  fakeHasher,
  fakeSessionRepository,
  fakeUnitOfWork,
  fakeUserRepository,
  makeRecord,
  makeUser,
  testEventBus,
  testUserModel,
} from './service-fakes';
import { ExecutionContext } from '../context/execution-context';
import type { CoreHooks } from '../events/core-events';

function setup(options: { hooks?: CoreHooks } = {}) {
  const users = fakeUserRepository();
  const sessions = fakeSessionRepository();
  const uow = fakeUnitOfWork();
  const hasher = fakeHasher();
  const cache = fakeCache();
  const { fields, schemas } = testUserModel({}, 5);
  const events = testEventBus(uow, options.hooks);
  const service = new UserService(users, sessions, uow, hasher, cache, fields, schemas, events, new ExecutionContext());
  return { service, users, sessions, uow, hasher, cache, events };
}

const input = { email: '  Alice@Example.COM ', username: 'alice', password: 'correct-horse', full_name: 'Alice' };

const admin = makeUser({ id: 1, username: 'admin', email: 'admin@example.com', is_superuser: true });
const alice = makeUser({ id: 2, username: 'alice', email: 'alice@example.com' });
const item = (n: number) => ({ email: `user${n}@example.com`, username: `user_${n}`, password: `password-${n}` });

describe('UserService', () => {
  describe('register', () => {
    it('stores the normalised email and the hash, never the password, inside a unit of work', async () => {
      const { service, users, uow } = setup();
      const user = await service.register(input);
      expect(user.email).to.equal('alice@example.com');
      const row = users.create.firstCall.args[0];
      expect(row).to.include({ email: 'alice@example.com', username: 'alice', hashed_password: 'hashed:correct-horse' });
      expect(row).to.not.have.property('password');
      expect(uow.run.calledOnce).to.equal(true);
    });

    it('answers 503 before its lookups when the hashing queue has no place, and gives a place back after a 409', async () => {
      const { service, users, hasher } = setup();
      hasher.reserve = () => {
        throw new AppError('service_unavailable', 'Password hashing is overloaded; try again shortly', { retryAfterSeconds: 2 });
      };
      await expectAppError(service.register(input), 'service_unavailable');
      expect(users.getByEmail.called || users.getByUsernameInsensitive.called, 'no lookup').to.equal(false);
      let released = 0;
      hasher.reserve = () => () => (released += 1);
      users.getByEmail.withArgs('alice@example.com').resolves(makeRecord({ id: 7 }));
      await expectAppError(service.register(input), 'conflict_error');
      expect(released).to.equal(1);
    });

    it('rejects a taken email with 409 "Email already registered" before looking at the username', async () => {
      const { service, users } = setup();
      users.getByEmail.withArgs('alice@example.com').resolves(makeRecord({ id: 7 }));
      users.getByUsernameInsensitive.resolves(makeRecord({ id: 8 }));
      await expectAppError(service.register(input), 'conflict_error', 'Email already registered');
      expect(users.create.called).to.equal(false);
    });

    it('rejects a username taken in another case with 409 "Username already taken"', async () => {
      const { service, users } = setup();
      users.getByUsernameInsensitive.withArgs('ALICE').resolves(makeRecord({ id: 7, username: 'alice' }));
      await expectAppError(service.register({ ...input, username: 'ALICE' }), 'conflict_error', 'Username already taken');
      expect(users.create.called).to.equal(false);
    });

    it('rejects invalid fields all at once with 422 naming each field', async () => {
      const { service } = setup();
      const error = await expectAppError(
        service.register({ email: 'not-an-email', username: 'a', password: 'short' }),
        'validation_error',
      );
      expect(error.details.map((detail) => detail.field)).to.have.members(['email', 'username', 'password']);
      expect(error.details[0]).to.have.keys('type', 'message', 'field');
    });
  });

  describe('createUser', () => {
    it('lets an admin set the flags and hashes the password', async () => {
      const { service, users } = setup();
      await service.createUser({ ...item(1), is_superuser: true, is_active: false });
      expect(users.create.firstCall.args[0]).to.include({ is_superuser: true, is_active: false, hashed_password: 'hashed:password-1' });
    });

    it('rejects a taken email with 409', async () => {
      const { service, users } = setup();
      users.getByEmail.resolves(makeRecord({ id: 9 }));
      await expectAppError(service.createUser(item(1)), 'conflict_error', 'Email already registered');
    });
  });

  describe('getUser', () => {
    it('answers 403 to a normal user asking for another id, even one that does not exist', async () => {
      const { service, users } = setup();
      await expectAppError(service.getUser(alice, 999), 'authorization_error');
      expect(users.getById.called).to.equal(false);
    });

    it('answers 404 to a superuser asking for a missing id', async () => {
      const { service } = setup();
      await expectAppError(service.getUser(admin, 999), 'not_found_error');
    });

    it('returns the user to themselves', async () => {
      const { service, users } = setup();
      users.getById.withArgs(2).resolves(alice);
      expect(await service.getUser(alice, 2)).to.equal(alice);
    });
  });

  describe('updateUser', () => {
    it('answers 403 before 404 when a normal user patches another id', async () => {
      const { service, users } = setup();
      await expectAppError(service.updateUser(alice, 999, { full_name: 'x' }), 'authorization_error');
      expect(users.getById.called).to.equal(false);
    });

    it('answers 403 when a normal user sends is_active or is_superuser, even for themselves', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      await expectAppError(service.updateUser(alice, 2, { is_superuser: true }), 'authorization_error');
      await expectAppError(service.updateUser(alice, 2, { is_active: true }), 'authorization_error');
      expect(users.update.called).to.equal(false);
    });

    it('lets a superuser change the flags', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      users.update.resolves({ ...alice, is_active: false });
      await service.updateUser(admin, 2, { is_active: false });
      expect(users.update.firstCall.args).to.deep.equal([2, { is_active: false }]);
    });

    it('answers 409 when the email or username belongs to another user, email first', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      users.getByEmail.withArgs('bob@example.com').resolves(makeRecord({ id: 3 }));
      users.getByUsernameInsensitive.withArgs('BOB').resolves(makeRecord({ id: 3 }));
      users.getRecordById.withArgs(2).resolves(makeRecord({ id: 2 }));
      const change = { email: 'Bob@example.com', username: 'BOB', current_password: 'correct-horse' };
      await expectAppError(service.updateUser(alice, 2, change), 'conflict_error', 'Email already registered');
      await expectAppError(service.updateUser(alice, 2, { username: 'BOB' }), 'conflict_error', 'Username already taken');
    });

    it('lets a user keep their own email and username', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      users.getByEmail.resolves(makeRecord({ id: 2 }));
      users.getByUsernameInsensitive.resolves(makeRecord({ id: 2 }));
      users.update.resolves(alice);
      await service.updateUser(alice, 2, { email: 'alice@example.com', username: 'Alice' });
      expect(users.update.calledOnce).to.equal(true);
    });

    it('hashes a new password and revokes the user’s other sessions, keeping the current one', async () => {
      const { service, users, sessions, uow, events } = setup();
      users.getById.resolves(alice);
      users.getRecordById.withArgs(2).resolves(makeRecord({ id: 2 }));
      users.update.resolves(alice);
      await service.updateUser(alice, 2, { password: 'a new pass phrase', current_password: 'correct-horse' }, 10);
      expect(users.update.firstCall.args[1]).to.deep.equal({ hashed_password: 'hashed:a new pass phrase' });
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([2, 10]);
      expect(uow.run.calledOnce).to.equal(true);
      expect(events.emitted.map((e) => e.event)).to.deep.equal(['user.updated', 'password.changed']);
    });

    it('revokes every session when a superuser resets someone else’s password, with no current password', async () => {
      const { service, users, sessions } = setup();
      users.getById.resolves(alice);
      users.update.resolves(alice);
      await service.updateUser(admin, 2, { password: 'a new pass phrase' }, 10);
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([2, undefined]);
      expect(users.getRecordById.called).to.equal(false);
    });

    it('answers 422 naming current_password when a user changes their own password or email without it', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      for (const change of [{ password: 'a new pass phrase' }, { email: 'new@example.com' }]) {
        const error = await expectAppError(service.updateUser(alice, 2, change), 'validation_error');
        expect(error.details).to.deep.equal([
          { type: 'required', message: 'is required to change your own email or password', field: 'current_password' },
        ]);
      }
      // A superuser changing their own password is re-authenticated too.
      users.getById.withArgs(1).resolves(admin);
      await expectAppError(service.updateUser(admin, 1, { password: 'a new pass phrase' }), 'validation_error');
      expect(users.update.called).to.equal(false);
    });

    it('answers 401 to a wrong current password and writes nothing', async () => {
      const { service, users } = setup();
      users.getById.resolves(alice);
      users.getRecordById.withArgs(2).resolves(makeRecord({ id: 2 }));
      await expectAppError(
        service.updateUser(alice, 2, { email: 'new@example.com', current_password: 'wrong-horse' }),
        'authentication_error',
        'Current password is incorrect',
      );
      expect(users.update.called).to.equal(false);
    });

    it('marks a new email unverified and emits email.changed with the old address', async () => {
      const { service, users, events } = setup();
      users.getById.resolves({ ...alice, email_verified: true });
      users.getRecordById.withArgs(2).resolves(makeRecord({ id: 2 }));
      const moved = { ...alice, email: 'new@example.com', email_verified: false };
      users.update.resolves(moved);
      await service.updateUser(alice, 2, { email: 'New@Example.com', current_password: 'correct-horse' });
      expect(users.update.firstCall.args[1]).to.deep.equal({ email: 'new@example.com', email_verified: false });
      const changed = events.emitted.find((e) => e.event === 'email.changed');
      expect(changed?.payload).to.deep.equal({ user: moved, previous_email: 'alice@example.com', actor: alice });
    });

    it('clears the full name on an explicit null and invalidates the user and stats cache keys', async () => {
      const { service, users, cache, sessions } = setup();
      users.getById.resolves(alice);
      users.update.resolves({ ...alice, full_name: null });
      const updated = await service.updateUser(alice, 2, { full_name: null });
      expect(updated.full_name).to.equal(null);
      expect(users.update.firstCall.args[1]).to.deep.equal({ full_name: null });
      expect(sessions.revokeAllForUser.called).to.equal(false);
      expect(cache.bump.firstCall.args).to.have.members(['user:2', 'dashboard']);
    });

    it('answers 422 to an explicit null on a non-nullable field', async () => {
      const { service } = setup();
      const error = await expectAppError(service.updateUser(alice, 2, { email: null } as never), 'validation_error');
      expect(error.details[0].field).to.equal('email');
    });
  });

  describe('deleteUser', () => {
    it('answers 403 to a normal user, even deleting themselves', async () => {
      const { service, users } = setup();
      await expectAppError(service.deleteUser(alice, 2), 'authorization_error');
      expect(users.delete.called).to.equal(false);
    });

    it('answers 404 for a missing id and invalidates caches after a delete', async () => {
      const { service, users, cache, events } = setup();
      users.getById.withArgs(2).resolves(alice);
      users.delete.withArgs(2).resolves(true);
      users.delete.withArgs(3).resolves(false);
      await service.deleteUser(admin, 2);
      expect(cache.bump.firstCall.args).to.include.members(['user:2', 'dashboard']);
      expect(events.emitted).to.deep.equal([{ event: 'user.deleted', payload: { user: alice, actor: admin } }]);
      await expectAppError(service.deleteUser(admin, 3), 'not_found_error');
    });
  });

  describe('listUsers', () => {
    it('applies the route’s own query rules: defaults filled, typed filters kept, bad values refused with 422', async () => {
      const { service, users } = setup();
      users.list.resolves({ items: [], total: 0, page: 1, size: 50, pages: 0 });
      await service.listUsers({ sort_by: 'email', sort_order: 'asc', search: 'al%', is_active: true });
      expect(users.list.firstCall.args[0]).to.deep.equal({ page: 1, size: 50, sort_by: 'email', sort_order: 'asc', search: 'al%', is_active: true });
      const error = await expectAppError(service.listUsers({ page: -3, size: 5000, sort_by: 'hashed_password' }), 'validation_error');
      expect(error.details.map((detail) => detail.field)).to.have.members(['page', 'size', 'sort_by']);
      expect(users.list.calledOnce).to.equal(true);
    });
  });

  describe('hashing', () => {
    it('hands the hasher the request’s abort signal and its id as the fairness group', async () => {
      const users = fakeUserRepository();
      const uow = fakeUnitOfWork();
      const hasher = fakeHasher();
      const { fields, schemas } = testUserModel({}, 5);
      const context = new ExecutionContext();
      const service = new UserService(users, fakeSessionRepository(), uow, hasher, fakeCache(), fields, schemas, testEventBus(uow), context);
      const controller = new AbortController();
      await context.run({ signal: controller.signal, requestId: 'req-42' }, () => service.bulkCreate([item(1), item(2)]));
      expect(hasher.hash.args.map(([, options]) => options)).to.deep.equal([
        { signal: controller.signal, group: 'req-42' },
        { signal: controller.signal, group: 'req-42' },
      ]);
    });
  });

  describe('bulkCreate', () => {
    it('creates every user in input order, hashing each password once, in one unit of work', async () => {
      const { service, users, hasher, uow, cache } = setup();
      const created = await service.bulkCreate([item(1), item(2), item(3)]);
      expect(created.map((user) => user.username)).to.deep.equal(['user_1', 'user_2', 'user_3']);
      expect(hasher.hash.callCount).to.equal(3);
      expect(users.findConflicts.calledOnce).to.equal(true);
      expect(users.bulkCreate.calledOnce).to.equal(true);
      expect(uow.run.calledOnce).to.equal(true);
      expect(cache.bump.calledWith('dashboard')).to.equal(true);
    });

    it('reports every invalid item at once with 422 naming <index>.<field>', async () => {
      const { service, users } = setup();
      const error = await expectAppError(
        service.bulkCreate([item(1), { ...item(2), email: 'bad' }, { ...item(3), password: 'short' }]),
        'validation_error',
      );
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['1.email', '2.password']);
      expect(users.findConflicts.called).to.equal(false);
    });

    it('refuses an empty batch and one over bulkMax with 422', async () => {
      const { service } = setup();
      await expectAppError(service.bulkCreate([]), 'validation_error');
      await expectAppError(service.bulkCreate([1, 2, 3, 4, 5, 6].map(item)), 'validation_error');
    });

    it('answers 409 naming the index of an in-batch duplicate, case-insensitively', async () => {
      const { service, hasher } = setup();
      const error = await expectAppError(
        service.bulkCreate([item(1), item(2), { ...item(3), email: 'USER1@example.com' }]),
        'conflict_error',
      );
      expect(error.message).to.contain('Item 2');
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['2.email']);
      const byName = await expectAppError(service.bulkCreate([item(1), { ...item(2), username: 'USER_1' }]), 'conflict_error');
      expect(byName.details.map((detail) => detail.field)).to.deep.equal(['1.username']);
      expect(hasher.hash.called).to.equal(false);
    });

    it('answers 409 naming the index of an item already in the table', async () => {
      const { service, users } = setup();
      users.findConflicts.resolves([makeUser({ id: 9, email: 'other@example.com', username: 'User_2' })]);
      const error = await expectAppError(service.bulkCreate([item(1), item(2)]), 'conflict_error');
      expect(error.message).to.contain('Item 1');
      expect(error.details).to.deep.equal([{ type: 'conflict', message: 'Username already taken', field: '1.username' }]);
      expect(users.bulkCreate.called).to.equal(false);
    });

    it('names the item when a concurrent create takes its email between the check and the insert', async () => {
      const { service, users } = setup();
      const { AppError } = await import('../errors/app-error');
      users.findConflicts.onFirstCall().resolves([]);
      users.findConflicts.onSecondCall().resolves([makeUser({ id: 9, email: 'user2@example.com', username: 'someone' })]);
      users.bulkCreate.rejects(new AppError('conflict_error', 'Email already registered'));
      const error = await expectAppError(service.bulkCreate([item(1), item(2)]), 'conflict_error');
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['1.email']);
    });

    it('returns nothing and lets the unit of work see the error when the insert fails', async () => {
      const { service, users, uow } = setup();
      users.bulkCreate.rejects(new Error('insert failed'));
      let caught: unknown;
      const result = await service.bulkCreate([item(1), item(2)]).catch((error: unknown) => {
        caught = error;
        return undefined;
      });
      expect(result).to.equal(undefined);
      expect((caught as Error).message).to.equal('insert failed');
      expect(uow.run.calledOnce).to.equal(true);
      const outcome = uow.run.firstCall.returnValue as Promise<unknown>;
      await outcome.then(
        () => expect.fail('the unit of work should have seen the rejection'),
        (error: Error) => expect(error.message).to.equal('insert failed'),
      );
    });
  });

  describe('ensureSuperuser', () => {
    it('creates the superuser when neither email nor username exists', async () => {
      const { service, users } = setup();
      const result = await service.ensureSuperuser(item(1));
      expect(result).to.include({ created: true, promoted: false });
      expect(users.create.firstCall.args[0]).to.include({ is_superuser: true, is_active: true });
    });

    it('promotes and activates an existing user', async () => {
      const { service, users } = setup();
      users.getByEmail.resolves(makeRecord({ id: 4, is_active: false }));
      users.update.resolves(makeUser({ id: 4, is_superuser: true }));
      const result = await service.ensureSuperuser(item(1));
      expect(result).to.include({ created: false, promoted: true });
      expect(users.update.firstCall.args).to.deep.equal([4, { is_superuser: true, is_active: true }]);
    });

    it('leaves an existing active superuser alone', async () => {
      const { service, users } = setup();
      users.getByUsernameInsensitive.resolves(makeRecord({ id: 4, is_superuser: true }));
      const result = await service.ensureSuperuser(item(1));
      expect(result).to.include({ created: false, promoted: false });
      expect(result.user).to.not.have.property('hashed_password');
      expect(users.update.called).to.equal(false);
    });
  });

  describe('seedUsers', () => {
    it('hashes once and inserts unique users batch by batch, each in its own unit of work', async () => {
      const { service, users, hasher, uow } = setup();
      const progress: number[] = [];
      const inserted = await service.seedUsers({ count: 5, password: 'seed-password', batchSize: 2, onProgress: (done) => progress.push(done) });
      expect(inserted).to.equal(5);
      expect(hasher.hash.calledOnceWith('seed-password')).to.equal(true);
      expect(uow.run.callCount).to.equal(3);
      expect(progress).to.deep.equal([2, 4, 5]);
      const rows = users.bulkCreate.getCalls().flatMap((call) => call.args[0]);
      expect(new Set(rows.map((row) => row.username)).size).to.equal(5);
      expect(rows.every((row) => /^seed_\d+_[0-9a-f]+@example\.com$/.test(row.email))).to.equal(true);
    });
  });
});
