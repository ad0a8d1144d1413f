import { expect } from 'chai';
import type { User } from '../domain/types';
import { ExportService } from './export-service';
import { systemClock } from '../clock/clock';
import { fakeUnitOfWork, fakeUserRepository, makeUser, testEventBus, testUserModel } from './service-fakes';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

function setup(all: User[]) {
  const users = fakeUserRepository();
  users.count.resolves(all.length);
  users.listAfterId.callsFake(async (afterId: number, limit: number) => all.filter((user) => user.id > afterId).slice(0, limit));
  const events = testEventBus(fakeUnitOfWork());
  return { service: new ExportService(users, testUserModel().fields, systemClock, events), users, events };
}

const people = [1, 2, 3, 4, 5].map((id) => makeUser({ id, username: `user_${id}`, email: `user${id}@example.com` }));

describe('ExportService', () => {
  describe('users', () => {
    it('yields every user in id order using keyset batches', async () => {
      const { service, users } = setup(people);
      const ids = (await collect(service.users(2))).map((user) => user.id);
      expect(ids).to.deep.equal([1, 2, 3, 4, 5]);
      expect(users.listAfterId.getCalls().map((call) => call.args)).to.deep.equal([[0, 2], [2, 2], [4, 2]]);
    });
  });

  describe('json', () => {
    it('streams chunks that parse to the export document', async () => {
      const { service } = setup(people);
      const chunks = await collect(service.json({ batchSize: 2 }));
      expect(chunks.length).to.be.greaterThan(2);
      const document = JSON.parse(chunks.join(''));
      expect(Object.keys(document)).to.deep.equal(['exported_at', 'total_users', 'users']);
      expect(document.total_users).to.equal(5);
      expect(document.exported_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(document.users.map((user: { id: number }) => user.id)).to.deep.equal([1, 2, 3, 4, 5]);
      expect(document.users[0]).to.deep.equal({
        id: 1,
        email: 'user1@example.com',
        username: 'user_1',
        full_name: 'Alice Example',
        is_active: true,
        is_superuser: false,
        email_verified: false,
        created_at: '2026-01-15T10:30:00.000Z',
        updated_at: '2026-01-15T10:30:00.000Z',
      });
    });

    it('streams a valid document when there are no users', async () => {
      const { service } = setup([]);
      expect(JSON.parse((await collect(service.json())).join(''))).to.include({ total_users: 0 }).and.have.property('users').that.deep.equals([]);
    });
  });

  describe('csv', () => {
    it('writes the header then one quoted, formula-safe line per user', async () => {
      const tricky = makeUser({ id: 7, username: '-dash', email: 'q@example.com', full_name: '=HYPERLINK("x"), "Bob"' });
      const plain = makeUser({ id: 8, username: 'plain', email: 'p@example.com', full_name: null, is_superuser: true });
      const { service } = setup([tricky, plain]);
      const text = (await collect(service.csv())).join('');
      expect(text.split('\r\n')).to.deep.equal([
        'id,email,username,full_name,is_active,is_superuser,email_verified,created_at,updated_at',
        `7,q@example.com,'-dash,"'=HYPERLINK(""x""), ""Bob""",true,false,false,2026-01-15T10:30:00.000Z,2026-01-15T10:30:00.000Z`,
        '8,p@example.com,plain,,true,true,false,2026-01-15T10:30:00.000Z,2026-01-15T10:30:00.000Z',
        '',
      ]);
    });
  });

  describe('csv columns', () => {
    it('are exactly the exported fields of the registry, in order, with a host field among them', async () => {
      const fields = testUserModel({ tenant_id: { type: 'string', nullable: true, setBy: ['admin'] } }).fields;
      const service = new ExportService(fakeUserRepository(), fields, systemClock, testEventBus(fakeUnitOfWork()));
      expect(service.csvColumns).to.deep.equal(fields.exported.map((field) => field.name));
      expect(service.csvColumns.at(-1)).to.equal('tenant_id');
      expect(service.csvRow({ ...people[0]!, tenant_id: '=cmd' } as never).split(',').at(-1)).to.equal("'=cmd");
    });
  });
});
