import type { ComponentChildren, LooseInputHTMLAttributes } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { formatTime } from '../lib/format';
import type { FieldSpec } from '../lib/user-schema';

/** The view's heading; takes focus when the view opens, so keyboard and reader users land on it. */
export function ViewTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1} class="view-title">
      {children}
    </h1>
  );
}

type InputProps = Omit<LooseInputHTMLAttributes<HTMLInputElement>, 'label'>;

/** A labelled input with its API validation message beside it (`aria-describedby`). */
export function Field(props: InputProps & { label: string; name: string; error?: string; hint?: string }) {
  const { label, name, error, hint, ...input } = props;
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input {...(input as object)} id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy} />
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} data-field={name}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled checkbox. */
export function Checkbox(props: { label: string; name: string; checked: boolean; onChange(checked: boolean): void; error?: string }) {
  const id = `field-${props.name}`;
  return (
    <div class="field field-check">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      {props.error && <p class="field-error">{props.error}</p>}
    </div>
  );
}

/** Text of a failed call for people: the envelope's message (and request id, for support). */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  if (error instanceof TypeError) return 'The server cannot be reached.';
  return error instanceof Error ? error.message : String(error);
}

/** An error box (`role="alert"`) with the envelope's message. */
export function ErrorNote({ error }: { error: unknown }) {
  return (
    <p class="alert" role="alert">
      {errorText(error)}
    </p>
  );
}

/** A horizontally scrollable, keyboard-focusable region around a wide table. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function YesNo({ value }: { value: boolean | undefined }) {
  if (value === undefined) return <span>—</span>;
  return <span class={value ? 'badge badge-yes' : 'badge badge-no'}>{value ? 'Yes' : 'No'}</span>;
}

/** One value of a `User` as its field's kind says: a badge for a flag, UTC for a time, "—" for none. */
export function FieldValue({ field, value }: { field: FieldSpec; value: unknown }) {
  if (field.kind === 'boolean') return <YesNo value={typeof value === 'boolean' ? value : undefined} />;
  if (value === null || value === undefined || value === '') return <span>—</span>;
  if (field.kind === 'datetime') return <span>{formatTime(String(value))}</span>;
  return <span>{String(value)}</span>;
}
