import type { App } from '../../domain/catalog';
import { ValidationError } from '../../domain/errors';
import { isName, NAME_RULE } from '../../domain/names';
import { issuesByField, type FormState } from '../../views/dashboard/admin/form-state';
import { appDefinitionSchema, toApp } from '../app-definition';
import { parseJsonText } from '../json-body';
import { grantSchema, groupSchema } from '../routes/directory';
import { tokenSchema } from '../routes/tokens';
import type { GrantInput } from '../../usecases/directory-admin';
import type { NewToken } from '../../usecases/tokens';

/**
 * The Admin page's forms checked by the very schemas the JSON routes use
 * (appDefinitionSchema + toApp, groupSchema, grantSchema, tokenSchema), each
 * problem kept by the form field it is about so the page can show it there.
 * `ok` carries what the use case takes; otherwise `form` is shown again.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; form: FormState };

const failed = <T>(values: Record<string, string>, errors: Record<string, string>): Checked<T> => ({ ok: false, form: { values, errors } });

/** `environments[0].namespace` from a zod path. */
const pathText = (path: ReadonlyArray<PropertyKey>) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');

export function checkAppForm(values: Record<string, string>): Checked<App> {
  const name = values['app-name'] ?? '';
  const errors: Record<string, string> = {};
  if (!isName(name)) errors['app-name'] = `an app name is ${NAME_RULE}`;
  try {
    const parsed = appDefinitionSchema.safeParse(parseJsonText(values.definition ?? '', 'the definition'));
    if (!parsed.success) errors.definition = parsed.error.issues.map((issue) => (issue.code === 'unrecognized_keys' ? `${pathText(issue.path) || 'definition'}: unknown field(s) ${issue.keys.join(', ')}` : `${pathText(issue.path) || 'definition'}: ${issue.message}`)).join('; ');
    else if (!errors['app-name']) return { ok: true, value: toApp(name, parsed.data) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors.definition = error.message;
  }
  return failed(values, errors);
}

export function checkGroupForm(values: Record<string, string>): Checked<{ group: string; members: string[] }> {
  const group = values.group ?? '';
  const members = (values.members ?? '').split(/[\n,]/).map((m) => m.trim()).filter((m) => m !== '');
  const parsed = groupSchema.safeParse({ members });
  const errors = parsed.success ? {} : issuesByField(parsed.error.issues, { members: 'members' });
  if (!isName(group)) errors.group = `a group name is ${NAME_RULE}`;
  return Object.keys(errors).length === 0 && parsed.success ? { ok: true, value: { group, members: parsed.data.members } } : failed(values, errors);
}

export function checkGrantForm(values: Record<string, string>): Checked<GrantInput> {
  const kind = values['subject-kind'] ?? 'user';
  if (kind !== 'user' && kind !== 'group') throw new ValidationError('subject-kind must be "user" or "group"');
  const parsed = grantSchema.safeParse({ subject: { [kind]: values.subject ?? '' }, role: values.role ?? '', app: values['grant-app'] ?? '', environment: values['grant-environment'] ?? '' });
  if (!parsed.success) return failed(values, issuesByField(parsed.error.issues, { subject: 'subject', role: 'role', app: 'grant-app', environment: 'grant-environment' }));
  const { user, group } = parsed.data.subject;
  const subject = user !== undefined ? { user } : { group: group ?? '' };
  return { ok: true, value: { subject, role: parsed.data.role, app: parsed.data.app, environment: parsed.data.environment } };
}

export function checkTokenForm(values: Record<string, string>): Checked<NewToken> {
  const days = values.expiresInDays?.trim() ?? '';
  const input = {
    identity: values.identity?.trim() ?? '',
    ...(values.description ? { description: values.description } : {}),
    ...(days ? { expiresInDays: /^\d{1,4}$/.test(days) ? Number(days) : days } : {}),
  };
  const parsed = tokenSchema.safeParse(input);
  if (!parsed.success) return failed(values, issuesByField(parsed.error.issues, { identity: 'identity', description: 'description', expiresInDays: 'expiresInDays' }));
  return { ok: true, value: parsed.data };
}
