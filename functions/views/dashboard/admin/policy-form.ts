import type { ValidationError } from '../../../domain/errors';
import type { ApprovalPolicy } from '../../../domain/policy';
import type { FormState } from './form-state';

/**
 * The policy edit form ↔ a policy: the simple fields as inputs, the rules as
 * rows of group and minimum, freeze windows and checks as JSON text. Pure,
 * so the mapping of the policy rules' messages onto the fields is testable.
 */

/** Rule rows the form offers (the policy allows at most 10 rules). */
export const RULE_ROWS = 10;
export const ruleField = (row: number, part: 'group' | 'min') => `rules[${row}].${part}`;

export const POLICY_FORM_FIELDS = [
  'csrf',
  'required',
  'timeoutSeconds',
  'supersede',
  'rollbackRequiresApproval',
  'onDrift',
  'freeze',
  'checks',
  ...Array.from({ length: RULE_ROWS }, (_, row) => [ruleField(row, 'group'), ruleField(row, 'min')]).flat(),
] as const;

/** A policy as the form shows it. */
export function policyFormValues(policy: ApprovalPolicy): Record<string, string> {
  const values: Record<string, string> = {
    required: String(policy.required),
    timeoutSeconds: String(policy.timeoutSeconds),
    supersede: policy.supersede ? 'on' : '',
    rollbackRequiresApproval: policy.rollbackRequiresApproval ? 'on' : '',
    onDrift: policy.onDrift,
    freeze: JSON.stringify(policy.freeze, null, 2),
    checks: policy.checks?.length ? JSON.stringify(policy.checks, null, 2) : '',
  };
  policy.rules.forEach((rule, row) => {
    values[ruleField(row, 'group')] = rule.group;
    values[ruleField(row, 'min')] = String(rule.min);
  });
  return values;
}

/** Whole numbers become numbers; anything else stays text, so the policy's own rule says what is wrong with it ("got \"abc\""). */
const numberOrText = (text: string | undefined): unknown => (text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);

/** JSON text of one field; the error names that field. */
function jsonField(text: string | undefined, field: string, parse: (text: string, what: string) => unknown): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  return parse(text, field);
}

/**
 * The policy input (for parsePolicy, through changePolicy) from the form,
 * and which form row each rule came from (blank rows are skipped, so
 * `rules[1]` in a message may be the form's third row).
 */
export function policyInputFrom(values: Record<string, string | undefined>, parseJson: (text: string, what: string) => unknown): { input: Record<string, unknown>; ruleRows: number[] } {
  const ruleRows: number[] = [];
  const rules: Array<{ group: unknown; min: unknown }> = [];
  for (let row = 0; row < RULE_ROWS; row++) {
    const group = values[ruleField(row, 'group')]?.trim() ?? '';
    const min = values[ruleField(row, 'min')]?.trim() ?? '';
    if (group === '' && min === '') continue;
    ruleRows.push(row);
    rules.push({ group, min: numberOrText(min) });
  }
  const input: Record<string, unknown> = {
    required: values.required?.trim() ? numberOrText(values.required) : undefined,
    rules,
    timeoutSeconds: values.timeoutSeconds?.trim() ? numberOrText(values.timeoutSeconds) : undefined,
    supersede: values.supersede === 'on',
    rollbackRequiresApproval: values.rollbackRequiresApproval === 'on',
    onDrift: values.onDrift || undefined,
    freeze: jsonField(values.freeze, 'freeze', parseJson),
    checks: jsonField(values.checks, 'checks', parseJson),
  };
  // Omitted fields take the defaults, as in the API.
  return { input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)), ruleRows };
}

const SIMPLE = ['required', 'timeoutSeconds', 'supersede', 'rollbackRequiresApproval', 'onDrift', 'freeze', 'checks'] as const;

/**
 * The form field a policy ValidationError is about, from the path its
 * message starts with: `rules[0].min must be …` → the min of the form row
 * that rule came from; `freeze.windows[0].start …` → the freeze field;
 * `the post checks could take …` → checks; otherwise the whole form.
 */
export function policyFieldOf(message: string, ruleRows: readonly number[]): string {
  const rule = /^rules\[(\d+)\](?:\.(group|min))?/.exec(message);
  if (rule) {
    const row = ruleRows[Number(rule[1])] ?? Number(rule[1]);
    return ruleField(row, rule[2] === 'min' ? 'min' : 'group');
  }
  if (/^rules\b/.test(message)) return 'rules';
  if (/^the (pre|post) checks\b/.test(message)) return 'checks';
  const simple = SIMPLE.find((field) => new RegExp(`^${field}\\b`).test(message));
  return simple ?? 'form';
}

/** A refused policy as the form shows it again: what was typed, and the error by its field. */
export function refusedPolicyForm(values: Record<string, string>, error: ValidationError, ruleRows: readonly number[]): FormState {
  return { values, errors: { [policyFieldOf(error.message, ruleRows)]: error.message } };
}
