/** A form as it was submitted and what was wrong with it, field by field (`form`: not about one field). */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const emptyForm = (): FormState => ({ values: {}, errors: {} });

/**
 * zod issues (as `safeParse` gives them) by form field: the issue path's
 * first segment through `fields` (JSON field → form field name), its
 * message, and for arrays which entry ("members: line 3: …").
 */
export function issuesByField(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string }>, fields: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [head, index] = issue.path;
    const field = typeof head === 'string' && Object.hasOwn(fields, head) ? (fields[head] ?? 'form') : 'form';
    const where = typeof index === 'number' ? `line ${index + 1}: ` : '';
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    errors[field] = errors[field] ? `${errors[field]}; ${where}${message}` : `${where}${message}`;
  }
  return errors;
}
