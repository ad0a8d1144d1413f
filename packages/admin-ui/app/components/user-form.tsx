import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import type { FormValues } from '../lib/form-values';
import type { FieldSpec } from '../lib/user-schema';
import { Checkbox, errorText, Field } from './ui';

const INPUT_TYPES = { text: 'text', email: 'email', password: 'password', number: 'number', datetime: 'datetime-local' } as const;

/**
 * The create and edit form, one input per field of the route's body as the OpenAPI document
 * describes it (lib/user-schema.ts). `submit` sends the values; a failure's envelope is shown
 * with each `body.<field>` message beside its field and the summary above
 * (docs/reference/errors.md).
 */
export function UserForm(props: {
  fields: readonly FieldSpec[];
  initial: FormValues;
  /** Editing an existing user: a password input is "New password" and may stay empty. */
  editing: boolean;
  submitLabel: string;
  submit(values: FormValues): Promise<void>;
}) {
  const [values, setValues] = useState(props.initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);

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
  const inputs = props.fields.filter((field) => field.kind !== 'boolean');
  const flags = props.fields.filter((field) => field.kind === 'boolean');

  return (
    <form class="card form" onSubmit={onSubmit} noValidate>
      {summary && (
        <p class="alert" role="alert">
          {summary}
        </p>
      )}
      {inputs.map((field) => {
        const password = field.kind === 'password';
        // On the edit form `password` is the new one; `current_password` is asked as it is.
        const newSecret = props.editing && field.name === 'password';
        return (
          <Field
            key={field.name}
            label={newSecret ? `New ${field.label.toLowerCase()}` : field.label}
            name={field.name}
            type={INPUT_TYPES[field.kind as keyof typeof INPUT_TYPES]}
            autocomplete={newSecret || (password && !props.editing) ? 'new-password' : password ? 'current-password' : 'off'}
            value={String(values[field.name] ?? '')}
            onInput={(event: { currentTarget: HTMLInputElement }) => setValues({ ...values, [field.name]: event.currentTarget.value })}
            error={errors[field.name]}
            hint={newSecret ? `Leave empty to keep the current one; a new one ends the user’s sessions. ${(field.hint ?? '').replace(/^Optional( · )?/, '')}`.trim() : field.hint}
            maxLength={field.maxLength}
            required={field.required && !newSecret}
          />
        );
      })}
      {flags.length > 0 && (
        <fieldset>
          <legend>Account</legend>
          {flags.map((field) => (
            <Checkbox
              key={field.name}
              label={field.label}
              name={field.name}
              checked={values[field.name] === true}
              error={errors[field.name]}
              onChange={(checked) => setValues({ ...values, [field.name]: checked })}
            />
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : props.submitLabel}
      </button>
    </form>
  );
}
