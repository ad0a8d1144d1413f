import { useState } from 'preact/hooks';
import { UserForm, type UserFormValues } from '../components/user-form';
import { ErrorNote, errorText, ViewTitle, YesNo } from '../components/ui';
import { isMissingRoute } from '../lib/api';
import { useApp, useLoad } from '../lib/app-context';
import { formatTime } from '../lib/format';
import { link, navigate } from '../lib/route';
import type { User } from '../lib/types';
import { UserAudit, UserSessions } from './user-activity';

/** Only what changed is sent: PATCH treats every key it gets as a change. */
function changes(user: User, values: UserFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values.email.trim() !== user.email) body.email = values.email.trim();
  if (values.username.trim() !== user.username) body.username = values.username.trim();
  const fullName = values.full_name.trim() === '' ? null : values.full_name.trim();
  if (fullName !== user.full_name) body.full_name = fullName;
  if (values.password !== '') body.password = values.password;
  return body;
}

/** One user: profile, edit, flags, sessions, audit trail, reset mail, delete. */
export function UserDetail({ id }: { id: string }) {
  const { api, me, notify } = useApp();
  const loaded = useLoad(() => api.request<User>('GET', `/users/${encodeURIComponent(id)}`), id);
  const [user, setUser] = useState<User | undefined>();
  const [formKey, setFormKey] = useState(0);
  const current = user ?? loaded.data;
  if (!current) {
    return (
      <>
        <ViewTitle>User {id}</ViewTitle>
        {loaded.error !== undefined ? <ErrorNote error={loaded.error} missing="This user cannot be shown." /> : <p class="muted">Loading…</p>}
        <p>
          <a href={link('users')}>Back to the users</a>
        </p>
      </>
    );
  }
  const self = current.id === me.id;
  const patch = async (body: Record<string, unknown>, message: string) => {
    const updated = await api.request<User>('PATCH', `/users/${current.id}`, { body });
    setUser(updated);
    setFormKey((key) => key + 1);
    notify(message);
  };
  const toggle = (field: 'is_active' | 'is_superuser', message: string) => async () => {
    try {
      await patch({ [field]: !current[field] }, message);
    } catch (error) {
      notify(errorText(error));
    }
  };

  return (
    <>
      <ViewTitle>{current.username}</ViewTitle>
      <p>
        <a href={link('users')}>Back to the users</a>
      </p>
      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl class="profile">
          <dt>ID</dt>
          <dd>{current.id}</dd>
          <dt>Email</dt>
          <dd>{current.email}</dd>
          <dt>Full name</dt>
          <dd>{current.full_name ?? '—'}</dd>
          <dt>Active</dt>
          <dd data-testid="is-active">
            <YesNo value={current.is_active} />
          </dd>
          <dt>Superuser</dt>
          <dd data-testid="is-superuser">
            <YesNo value={current.is_superuser} />
          </dd>
          {current.email_verified !== undefined && (
            <>
              <dt>Email verified</dt>
              <dd>
                <YesNo value={current.email_verified} />
              </dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{formatTime(current.created_at)}</dd>
          <dt>Updated</dt>
          <dd>{formatTime(current.updated_at)}</dd>
        </dl>
        <div class="actions">
          <button
            type="button"
            class="button-secondary"
            disabled={self}
            onClick={toggle('is_active', current.is_active ? 'Deactivated: the user can no longer sign in.' : 'Activated.')}
          >
            {current.is_active ? 'Deactivate' : 'Activate'}
          </button>
          <button
            type="button"
            class="button-secondary"
            disabled={self}
            onClick={toggle('is_superuser', current.is_superuser ? 'No longer a superuser.' : 'Now a superuser.')}
          >
            {current.is_superuser ? 'Demote from superuser' : 'Promote to superuser'}
          </button>
          <ResetMail email={current.email} />
        </div>
        {self && <p class="muted">This is your own account: another superuser changes its flags.</p>}
      </section>
      <section aria-labelledby="edit-title">
        <h2 id="edit-title">Edit</h2>
        <UserForm
          key={formKey}
          initial={{ email: current.email, username: current.username, full_name: current.full_name ?? '', password: '', is_active: current.is_active, is_superuser: current.is_superuser }}
          withFlags={false}
          passwordRequired={false}
          submitLabel="Save changes"
          submit={async (values) => {
            const body = changes(current, values);
            if (Object.keys(body).length === 0) return notify('Nothing to save.');
            await patch(body, 'Saved.');
          }}
        />
      </section>
      <UserSessions userId={current.id} />
      <UserAudit userId={current.id} />
      <DeleteUser user={current} disabled={self} />
    </>
  );
}

function ResetMail({ email }: { email: string }) {
  const { api, notify } = useApp();
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      await api.request('POST', '/auth/password-reset/request', { body: { email } });
      notify(`A password reset link was sent to ${email}.`);
    } catch (error) {
      notify(isMissingRoute(error) ? 'Password reset mail is not available on this server yet.' : errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="button-secondary" disabled={busy} onClick={send}>
      Send password reset
    </button>
  );
}

function DeleteUser({ user, disabled }: { user: User; disabled: boolean }) {
  const { api, notify } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const remove = async () => {
    try {
      await api.request('DELETE', `/users/${user.id}`);
      notify(`Deleted user ${user.username}.`, 'users');
      navigate(link('users'));
    } catch (caught) {
      setError(errorText(caught));
    }
  };
  return (
    <section class="card danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <p>Deleting removes the user and ends all their sessions. It cannot be undone.</p>
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      {!confirming ? (
        <button type="button" class="button-danger" disabled={disabled} onClick={() => setConfirming(true)}>
          Delete user…
        </button>
      ) : (
        <div class="confirm" role="group" aria-labelledby="confirm-text">
          <p id="confirm-text">
            Delete <strong>{user.username}</strong> for good?
          </p>
          <button type="button" class="button-danger" onClick={remove}>
            Yes, delete {user.username}
          </button>
          <button type="button" class="button-secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
