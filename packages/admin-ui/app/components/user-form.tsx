import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { Checkbox, errorText, Field } from './ui';

/** The editable fields of a user, as the form holds them (strings and flags). */
export interface UserFormValues {
  email: string;
  username: string;
  full_name: string;
  password: string;
  is_active: boolean;
  is_superuser: boolean;
}

/**
 * The create and edit form. `submit` sends the values; a failure's envelope is shown with
 * each `body.<field>` message beside its field and the summary above (docs/reference/errors.md).
 */
export function UserForm(props: {
  initial: UserFormValues;
  /** The flags are edited as checkboxes only when creating: the user page has its own buttons. */
  withFlags: boolean;
  passwordRequired: boolean;
  submitLabel: string;
  submit(values: UserFormValues): Promise<void>;
}) {
  const [values, setValues] = useState(props.initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (name: keyof UserFormValues) => (event: { currentTarget: HTMLInputElement }) =>
    setValues({ ...values, [name]: event.currentTarget.value });

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSummary('');
    try {
      await props.submit(values);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      setSummary(Object.keys(fields).length > 0 ? `${errorText(error)}: see the marked fields.` : errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={onSubmit} noValidate>
      {summary && (
        <p class="alert" role="alert">
          {summary}
        </p>
      )}
      <Field label="Email" name="email" type="email" autocomplete="off" value={values.email} onInput={set('email')} error={errors.email} required />
      <Field
        label="Username"
        name="username"
        autocomplete="off"
        value={values.username}
        onInput={set('username')}
        error={errors.username}
        hint="3–50 letters, digits, _ or -"
        required
      />
      <Field label="Full name" name="full_name" autocomplete="off" value={values.full_name} onInput={set('full_name')} error={errors.full_name} hint="Optional" />
      <Field
        label={props.passwordRequired ? 'Password' : 'New password'}
        name="password"
        type="password"
        autocomplete="new-password"
        value={values.password}
        onInput={set('password')}
        error={errors.password}
        hint={props.passwordRequired ? 'At least 8 characters' : 'Leave empty to keep the current password; a new one ends the user’s sessions'}
        required={props.passwordRequired}
      />
      {props.withFlags && (
        <fieldset>
          <legend>Account</legend>
          <Checkbox label="Active" name="is_active" checked={values.is_active} error={errors.is_active} onChange={(checked) => setValues({ ...values, is_active: checked })} />
          <Checkbox
            label="Superuser"
            name="is_superuser"
            checked={values.is_superuser}
            error={errors.is_superuser}
            onChange={(checked) => setValues({ ...values, is_superuser: checked })}
          />
        </fieldset>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : props.submitLabel}
      </button>
    </form>
  );
}
