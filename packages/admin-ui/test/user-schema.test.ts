import { expect } from 'chai';
import { z } from 'zod';
import { useTestCore } from '../../core/src/testing/test-core';
import { createBody, updateBody, valuesOf } from '../app/lib/form-values';
import { readUserSchema, type OpenApiDocument, type UserSchema } from '../app/lib/user-schema';

/**
 * The page reads the user's fields from the server's OpenAPI document: a field a host adds
 * must reach the forms, the profile, the table's filters and the CSV import with no change
 * to the page.
 */
describe('readUserSchema over the core’s own OpenAPI document', () => {
  const fixture = useTestCore({
    user: {
      fields: {
        tenant_id: { type: 'string', maxLength: 64, nullable: true, setBy: ['register', 'admin'], filterable: true, description: 'The customer' },
        is_vip: { type: 'boolean', default: false, setBy: ['admin'], filterable: true },
        seats: { type: 'integer', nullable: true, setBy: ['admin'], schema: z.number().int().min(0) },
      },
    },
  });
  let schema: UserSchema;
  before(async () => {
    const served = await fixture.core.http.dispatch({
      method: 'GET',
      path: '/api/v1/openapi.json',
      query: {},
      headers: {},
      ip: undefined,
      protocol: 'http',
      body: { kind: 'none' },
    });
    const body = served!.body as { kind: 'json'; value: OpenApiDocument };
    schema = readUserSchema(body.value);
  });
  const names = (fields: { name: string }[]) => fields.map((field) => field.name);

  it('lists the admin create body with the host’s fields, in order, with kinds, defaults and hints', () => {
    expect(names(schema.create)).to.deep.equal(['email', 'username', 'full_name', 'is_active', 'is_superuser', 'email_verified', 'tenant_id', 'is_vip', 'seats', 'password']);
    const byName = Object.fromEntries(schema.create.map((field) => [field.name, field]));
    expect(byName.email).to.include({ kind: 'email', required: true, label: 'Email' });
    expect(byName.password).to.include({ kind: 'password', required: true, minLength: 8 });
    expect(byName.full_name).to.include({ kind: 'text', required: false, nullable: true, maxLength: 100, hint: 'Optional · at most 100 characters' });
    expect(byName.is_active).to.include({ kind: 'boolean', default: true, label: 'Active' });
    expect(byName.is_vip).to.include({ kind: 'boolean', default: false, label: 'Vip' });
    expect(byName.tenant_id).to.include({ kind: 'text', nullable: true, hint: 'Optional · The customer', label: 'Tenant id' });
    expect(byName.seats).to.include({ kind: 'number', nullable: true });
  });

  it('lists the update body, the bulk item, the response and the filters', () => {
    expect(names(schema.update)).to.include.members(['email', 'tenant_id', 'is_vip', 'seats', 'password', 'current_password']);
    expect(schema.update.find((field) => field.name === 'current_password')).to.include({ kind: 'password', required: false });
    expect(names(schema.bulkItem)).to.deep.equal(['email', 'username', 'full_name', 'tenant_id', 'password']);
    expect(names(schema.response)).to.include.members(['id', 'username', 'tenant_id', 'is_vip', 'seats', 'created_at']);
    expect(schema.response.find((field) => field.name === 'created_at')!.kind).to.equal('datetime');
    expect(names(schema.filters)).to.deep.equal(['is_active', 'is_superuser', 'email_verified', 'is_vip']);
    expect(schema.sortable).to.deep.equal(['email', 'username', 'created_at']);
  });

  it('builds a create body that sends every flag and leaves blank optional inputs out', () => {
    const values = { ...valuesOf(schema.create, {}), email: ' a@example.com ', username: 'ada', password: ' pw with spaces ', seats: '3', is_active: true };
    expect(createBody(schema.create, values)).to.deep.equal({
      email: 'a@example.com',
      username: 'ada',
      is_active: true,
      is_superuser: false,
      email_verified: false,
      is_vip: false,
      seats: 3,
      password: ' pw with spaces ',
    });
    // A blank required input is still sent, so the API names it beside its field.
    expect(createBody(schema.create, valuesOf(schema.create, {}))).to.include({ email: '', username: '', password: '' });
  });

  it('builds an update body of what changed only: a blank nullable input is null, a blank password is kept', () => {
    const user = { id: 1, email: 'a@example.com', username: 'ada', full_name: 'Ada', is_active: true, is_superuser: false, email_verified: false, tenant_id: 't1', is_vip: false, seats: null };
    const values = valuesOf(schema.update, user);
    expect(values).to.include({ full_name: 'Ada', password: '', seats: '' });
    expect(updateBody(schema.update, values, user)).to.deep.equal({});
    expect(updateBody(schema.update, { ...values, full_name: ' ', seats: '2', is_vip: true, username: '' }, user)).to.deep.equal({
      username: '',
      full_name: null,
      is_vip: true,
      seats: 2,
    });
    expect(updateBody(schema.update, { ...values, password: 'new-password-1' }, user)).to.deep.equal({ password: 'new-password-1' });
  });
});
