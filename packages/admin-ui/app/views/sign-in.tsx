import { useState } from 'preact/hooks';
import { errorText, Field, ViewTitle } from '../components/ui';
import { ApiError, type ApiClient } from '../lib/api';
import type { User } from '../lib/types';

/** Sign-in for superusers: a valid account that is not a superuser is signed out again at once. */
export function SignIn(props: { api: ApiClient; appName: string; reason: string; onSignedIn(user: User): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await props.api.login(username.trim(), password);
      const me = await props.api.request<User>('GET', '/auth/me');
      if (!me.is_superuser) {
        await props.api.logout();
        setError('This account is not a superuser. The admin page is for superusers only.');
        return;
      }
      props.onSignedIn(me);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 422 ? 'Enter a username or email and a password.' : errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in" tabIndex={-1}>
      <ViewTitle>{props.appName} admin</ViewTitle>
      <form onSubmit={submit} class="card" aria-describedby={error ? 'sign-in-error' : undefined}>
        <h2>Sign in</h2>
        {props.reason && !error && (
          <p class="note" role="status">
            {props.reason}
          </p>
        )}
        {error && (
          <p class="alert" role="alert" id="sign-in-error">
            {error}
          </p>
        )}
        <Field
          label="Username or email"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(event) => setUsername(event.currentTarget.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
