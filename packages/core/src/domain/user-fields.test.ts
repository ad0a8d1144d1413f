import { expect } from 'chai';
import { z } from 'zod';
import { createUserSchemas } from '../schemas/user';
import { createUserFields, UserFieldError } from './user-fields';

const tenant = { tenant_id: { type: 'string', maxLength: 64, nullable: true, setBy: ['admin'], filterable: true, sortable: true, searchable: true } } as const;

describe('createUserFields', () => {
  it('lists the core fields in response order, then the host fields', () => {
    const fields = createUserFields(tenant);
    expect(fields.visible.map((field) => field.name)).to.deep.equal([
      'id', 'email', 'username', 'full_name', 'is_active', 'is_superuser', 'email_verified', 'created_at', 'updated_at', 'tenant_id',
    ]);
    expect(fields.get('tenant_id')).to.include({ host: true, nullable: true, maxLength: 64, exported: true });
    expect(fields.get('created_at')).to.include({ system: true, host: false });
  });

  it('derives filters, sort and search columns from the flags', () => {
    const fields = createUserFields(tenant);
    expect(fields.filterable.map((field) => field.name)).to.deep.equal(['is_active', 'is_superuser', 'email_verified', 'tenant_id']);
    expect(fields.sortable.map((field) => field.name)).to.deep.equal(['email', 'username', 'created_at', 'tenant_id']);
    expect(fields.searchable.map((field) => field.name)).to.deep.equal(['email', 'username', 'full_name', 'tenant_id']);
  });

  it('keeps a hidden field out of responses and, by default, out of exports', () => {
    const fields = createUserFields({ internal_note: { type: 'text', nullable: true, visible: false } });
    expect(fields.visible.map((field) => field.name)).to.not.include('internal_note');
    expect(fields.exported.map((field) => field.name)).to.not.include('internal_note');
    expect(fields.project({ id: 1, internal_note: 'secret' })).to.not.have.property('internal_note');
  });

  it('projects a record to the wire: visible fields only, Dates as ISO-8601 UTC', () => {
    const at = new Date('2026-01-15T10:30:00.123Z');
    const projected = createUserFields().project({ id: 1, email: 'a@b.c', created_at: at, hashed_password: 'x' });
    expect(projected).to.include({ id: 1, email: 'a@b.c', created_at: '2026-01-15T10:30:00.123Z', full_name: null });
    expect(projected).to.not.have.property('hashed_password');
  });

  it('refuses host fields that clash, are not snake_case, or could never be filled', () => {
    const refuse = (definitions: Parameters<typeof createUserFields>[0], message: RegExp) =>
      expect(() => createUserFields(definitions)).to.throw(UserFieldError, message);
    refuse({ email: { type: 'string', nullable: true } }, /"email" is reserved/);
    refuse({ hashed_password: { type: 'string', nullable: true } }, /reserved/);
    refuse({ sort_by: { type: 'string', nullable: true } }, /reserved/);
    refuse({ TenantId: { type: 'string', nullable: true } }, /snake_case/);
    refuse({ 'tenant-id': { type: 'string', nullable: true } }, /snake_case/);
    refuse({ plan: { type: 'string' } }, /needs nullable: true, a default, or setBy including 'register'/);
    refuse({ age: { type: 'integer', nullable: true, searchable: true } }, /searchable only when its type is string or text/);
    refuse({ seen_at: { type: 'datetime', nullable: true, filterable: true } }, /datetime fields cannot be filterable/);
  });
});

describe('createUserSchemas', () => {
  const fields = createUserFields({
    ...tenant,
    plan: { type: 'string', default: 'free', setBy: ['register', 'admin', 'self'], schema: z.enum(['free', 'pro']) },
  });
  const schemas = createUserSchemas(fields, { bulkMax: 3 });
  const base = { email: ' Ada@Example.com ', username: 'ada', password: 'long-enough-1' };

  it('register takes what registration may set and drops the rest, flags included', () => {
    const parsed = schemas.create.parse({ ...base, plan: 'pro', tenant_id: 't1', is_superuser: true }) as Record<string, unknown>;
    expect(parsed).to.deep.equal({ email: 'ada@example.com', username: 'ada', password: 'long-enough-1', plan: 'pro' });
  });

  it('admin create adds what only an admin may set', () => {
    const parsed = schemas.adminCreate.parse({ ...base, tenant_id: 't1', is_active: false }) as Record<string, unknown>;
    expect(parsed).to.include({ tenant_id: 't1', is_active: false });
  });

  it('applies a host field’s own rule and reports it under its own name', () => {
    const result = schemas.create.safeParse({ ...base, plan: 'gold' });
    expect(result.success).to.equal(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).to.deep.equal(['plan']);
  });

  it('update allows null only on nullable fields', () => {
    expect(schemas.update.safeParse({ tenant_id: null, full_name: null }).success).to.equal(true);
    const refused = schemas.update.safeParse({ email: null, plan: null });
    expect(refused.error?.issues.map((issue) => issue.path.join('.'))).to.have.members(['email', 'plan']);
  });

  it('the list query filters on every filterable field and sorts only by sortable ones', () => {
    const parsed = schemas.listQuery.parse({ tenant_id: 't1', is_active: '0', sort_by: 'tenant_id' });
    expect(parsed).to.include({ tenant_id: 't1', is_active: false, sort_by: 'tenant_id', page: 1, size: 50 });
    expect(schemas.listQuery.safeParse({ sort_by: 'full_name' }).success).to.equal(false);
  });

  it('the response schema describes every visible field', () => {
    const json = z.toJSONSchema(schemas.response) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties)).to.deep.equal(fields.visible.map((field) => field.name));
  });

  it('bulk bounds the number of items', () => {
    expect(schemas.bulk.safeParse([base, base, base, base]).success).to.equal(false);
    expect(schemas.bulk.safeParse([]).success).to.equal(false);
  });
});
