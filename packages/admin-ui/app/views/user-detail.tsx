import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { UserForm } from '../components/user-form';
import { ErrorNote, errorText, FieldValue, ViewTitle } from '../components/ui';
import { useApp, useLoad, useUserSchema } from '../lib/app-context';
import { updateBody, valuesOf } from '../lib/form-values';
import { link, navigate } from '../lib/route';
import type { User } from '../lib/types';

/** Flags the page sets with buttons of their own, so the edit form leaves them out. */
const BUTTON_FLAGS = ['is_active', 'is_superuser'];
import { UserAudit, UserSessions } from './user-activity';

/** One user: profile, edit, flags, sessions, audit trail, reset mail, delete. */
export function UserDetail({ id }: { id: string }) {
  const { api, me, notify } = useApp();
  const loaded = useLoad(() => api.request<User>('GET', `/users/${encodeURIComponent(id)}`), id);
  const schema = useUserSchema();
  const [user, setUser] = useState<User | undefined>();
  const [formKey, setFormKey] = useState(0);
  // Counts the changes made on this page, so the audit trail reloads to show each one.
  const [changed, setChanged] = useState(0);
  const recorded = () => setChanged((count) => count + 1);
  const current = user ?? loaded.data;
  if (!current || !schema.data) {
    return (
      <>
        <ViewTitle>User {id}</ViewTitle>
        {loaded.error !== undefined || schema.error !== undefined ? <ErrorNote error={loaded.error ?? schema.error} /> : <p class="muted">Loading…</p>}
        <p>
          <a href={link('users')}>Back to the users</a>
        </p>
      </>
    );
  }
  const self = current.id === me.id;
  // current_password re-authenticates a change of one's own email or password only.
  const editable = schema.data.update.filter((field) => !BUTTON_FLAGS.includes(field.name) && (self || field.name !== 'current_password'));
  const patch = async (body: Record<string, unknown>, message: string) => {
    const updated = await api.request<User>('PATCH', `/users/${current.id}`, { body });
    setUser(updated);
    setFormKey((key) => key + 1);
    recorded();
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
          {schema.data.response
            .filter((field) => field.name !== 'username')
            .map((field) => (
              <Fragment key={field.name}>
                <dt>{field.label}</dt>
                <dd data-field={field.name}>
                  <FieldValue field={field} value={current[field.name]} />
                </dd>
              </Fragment>
            ))}
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
          <ResetMail email={current.email} onSent={recorded} />
        </div>
        {self && <p class="muted">This is your own account: another superuser changes its flags.</p>}
      </section>
      <section aria-labelledby="edit-title">
        <h2 id="edit-title">Edit</h2>
        <UserForm
          key={formKey}
          fields={editable}
          initial={valuesOf(editable, current)}
          editing
          submitLabel="Save changes"
          submit={async (values) => {
            const body = updateBody(editable, values, current);
            if (Object.keys(body).length === 0) return notify('Nothing to save.');
            await patch(body, 'Saved.');
          }}
        />
      </section>
      <UserSessions userId={current.id} onRevoked={recorded} />
      <UserAudit userId={current.id} version={changed} />
      <DeleteUser user={current} disabled={self} />
    </>
  );
}

function ResetMail({ email, onSent }: { email: string; onSent(): void }) {
  const { api, notify } = useApp();
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      await api.request('POST', '/auth/password-reset/request', { body: { email } });
      notify(`A password reset link was sent to ${email}.`);
      onSent();
    } catch (error) {
      notify(errorText(error));
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
