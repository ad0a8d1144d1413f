import { UserForm } from '../components/user-form';
import { ErrorNote, ViewTitle } from '../components/ui';
import { useApp, useUserSchema } from '../lib/app-context';
import { blankValues, createBody } from '../lib/form-values';
import { link, navigate } from '../lib/route';
import type { User } from '../lib/types';

/** Every field of the admin create body, as the OpenAPI document lists them; the data-entry path opens here. */
export function CreateUser() {
  const { api, notify } = useApp();
  const schema = useUserSchema();
  return (
    <>
      <ViewTitle>Create user</ViewTitle>
      <p>
        Or <a href={link('import')}>import many users from a CSV file</a>.
      </p>
      {schema.error !== undefined && <ErrorNote error={schema.error} />}
      {schema.data ? (
        <UserForm
          fields={schema.data.create}
          initial={blankValues(schema.data.create)}
          editing={false}
          submitLabel="Create user"
          submit={async (values) => {
            const user = await api.request<User>('POST', '/users', { body: createBody(schema.data!.create, values) });
            notify(`Created user ${user.username}.`, `users/${user.id}`);
            navigate(link(`users/${user.id}`));
          }}
        />
      ) : (
        schema.loading && <p class="muted">Loading…</p>
      )}
    </>
  );
}
