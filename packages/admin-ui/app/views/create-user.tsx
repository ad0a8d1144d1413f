import { UserForm } from '../components/user-form';
import { ViewTitle } from '../components/ui';
import { useApp } from '../lib/app-context';
import { link, navigate } from '../lib/route';
import type { User } from '../lib/types';

/** Every field of `UserCreateByAdmin` (docs/reference/routes.md); the data-entry path opens here. */
export function CreateUser() {
  const { api, notify } = useApp();
  return (
    <>
      <ViewTitle>Create user</ViewTitle>
      <p>
        Or <a href={link('import')}>import many users from a CSV file</a>.
      </p>
      <UserForm
        initial={{ email: '', username: '', full_name: '', password: '', is_active: true, is_superuser: false }}
        withFlags
        passwordRequired
        submitLabel="Create user"
        submit={async (values) => {
          const user = await api.request<User>('POST', '/users', {
            body: {
              email: values.email.trim(),
              username: values.username.trim(),
              password: values.password,
              ...(values.full_name.trim() ? { full_name: values.full_name.trim() } : {}),
              is_active: values.is_active,
              is_superuser: values.is_superuser,
            },
          });
          notify(`Created user ${user.username}.`, `users/${user.id}`);
          navigate(link(`users/${user.id}`));
        }}
      />
    </>
  );
}
