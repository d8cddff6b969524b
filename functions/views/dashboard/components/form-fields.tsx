import type { Child } from 'hono/jsx';
import { shown } from '../format';

/**
 * Labelled form controls for the dashboard's forms: every control has a
 * `<label>`, a field's error is text right after it (tied to the control by
 * `aria-describedby`, flagged with `aria-invalid`), and nothing depends on
 * script. Ids are the field names with `[]` and `.` made safe. Values typed
 * into a refused form come back with control and bidi characters shown as
 * `<U+202E>` markers rather than acting.
 */

export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The attributes that tie a control to its hint and error. */
function described(name: string, error: string | undefined, hint: string | undefined) {
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ');
  return { id: fieldId(name), name, ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': 'true' } : {}) };
}

export function FieldError({ name, error }: { name: string; error: string | undefined }) {
  if (!error) return '';
  return (
    <p id={`${fieldId(name)}-error`} class="field-error">
      <strong>Error: </strong>
      {shown(error)}
    </p>
  );
}

const Hint = ({ name, hint }: { name: string; hint: string | undefined }) => (hint ? <span id={`${fieldId(name)}-hint`} class="muted hint">{hint}</span> : '');

interface Common {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
}

export function TextField(props: Common & { value?: string | undefined; type?: 'text' | 'number' | 'email' | 'datetime-local'; min?: number; max?: number; maxLength?: number; placeholder?: string }) {
  const { name, label, error, hint, value, type = 'text', required, min, max, maxLength, placeholder } = props;
  return (
    <p class="field">
      <label for={fieldId(name)}>{label}</label>
      <Hint name={name} hint={hint} />
      <input {...described(name, error, hint)} type={type} value={shown(value ?? '')} required={required} min={min} max={max} maxlength={maxLength} placeholder={placeholder} />
      <FieldError name={name} error={error} />
    </p>
  );
}

export function TextArea(props: Common & { value?: string | undefined; rows?: number; maxLength?: number }) {
  const { name, label, error, hint, value, rows = 4, required, maxLength } = props;
  return (
    <p class="field">
      <label for={fieldId(name)}>{label}</label>
      <Hint name={name} hint={hint} />
      <textarea {...described(name, error, hint)} rows={rows} required={required} maxlength={maxLength}>
        {shown(value ?? '')}
      </textarea>
      <FieldError name={name} error={error} />
    </p>
  );
}

export function Select(props: Common & { value?: string | undefined; options: Array<[value: string, label: string]> }) {
  const { name, label, error, hint, value, options, required } = props;
  return (
    <p class="field">
      <label for={fieldId(name)}>{label}</label>
      <Hint name={name} hint={hint} />
      <select {...described(name, error, hint)} required={required}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
      <FieldError name={name} error={error} />
    </p>
  );
}

export function Checkbox(props: Common & { checked: boolean }) {
  const { name, label, error, hint, checked } = props;
  return (
    <p class="field">
      <input {...described(name, error, hint)} type="checkbox" value="on" checked={checked} />
      <label for={fieldId(name)}> {label}</label>
      <Hint name={name} hint={hint} />
      <FieldError name={name} error={error} />
    </p>
  );
}

/** The session's CSRF token, in every state-changing form (checked by requireCsrf). */
export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="csrf" value={token} />;

/** A one-button POST form (revoke, remove): the button names the action, and `children` (e.g. visually hidden text) what it acts on. */
export function ActionButton({ action, csrfToken, label, children }: { action: string; csrfToken: string; label: string; children?: Child }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField token={csrfToken} />
      <button type="submit">
        {label}
        {children}
      </button>
    </form>
  );
}
