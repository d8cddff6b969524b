import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../functions/api/json-body';
import { ValidationError } from '../../functions/domain/errors';
import { DEFAULT_POLICY, parsePolicy } from '../../functions/domain/policy';
import { issuesByField } from '../../functions/views/dashboard/admin/form-state';
import { policyFieldOf, policyFormValues, policyInputFrom } from '../../functions/views/dashboard/admin/policy-form';

/** The policy form's mapping both ways, and every policy refusal onto the field it is about. */
describe('the policy form', () => {
  const refusal = (values: Record<string, string>) => {
    const { input, ruleRows } = policyInputFrom(values, parseJsonText);
    try {
      parsePolicy(input);
    } catch (error) {
      if (error instanceof ValidationError) return policyFieldOf(error.message, ruleRows);
      throw error;
    }
    return undefined;
  };

  it('round-trips a policy through the form', () => {
    const policy = parsePolicy({ required: 2, rules: [{ group: 'security', min: 1 }], supersede: false, freeze: { windows: [{ kind: 'weekly', timeZone: 'UTC', days: ['fri'], start: '16:00', end: '00:00' }] }, checks: [{ name: 'smoke', kind: 'job', phase: 'post' }] });
    const { input } = policyInputFrom(policyFormValues(policy), parseJsonText);
    expect(parsePolicy(input)).toEqual(policy);
    expect(parsePolicy(policyInputFrom(policyFormValues(DEFAULT_POLICY), parseJsonText).input)).toEqual(DEFAULT_POLICY);
  });

  it('maps each refusal to its field', () => {
    expect(refusal({ required: '-1' })).toBe('required');
    expect(refusal({ required: 'two' })).toBe('required');
    expect(refusal({ required: '0', 'rules[0].group': 'security', 'rules[0].min': '1' })).toBe('required');
    expect(refusal({ timeoutSeconds: '5' })).toBe('timeoutSeconds');
    expect(refusal({ onDrift: 'ignore' })).toBe('onDrift');
    // Blank rows are skipped: the second rule typed in row 2 is rules[1] to the policy, row 2 to the form.
    expect(refusal({ 'rules[0].group': 'a', 'rules[0].min': '1', 'rules[2].group': 'b', 'rules[2].min': '0' })).toBe('rules[2].min');
    expect(refusal({ 'rules[3].group': 'Not A Group', 'rules[3].min': '1' })).toBe('rules[3].group');
    expect(refusal({ 'rules[0].group': 'a', 'rules[0].min': '1', 'rules[1].group': 'a', 'rules[1].min': '1' })).toBe('rules[1].group');
    expect(refusal({ freeze: '{"windows":[{"kind":"weekly","timeZone":"Mars/Olympus","days":["fri"],"start":"16:00","end":"18:00"}]}' })).toBe('freeze');
    expect(refusal({ checks: '[{"name":"x","kind":"job","phase":"later"}]' })).toBe('checks');
    expect(refusal({ checks: '[{"name":"a","kind":"job","phase":"pre","timeoutSeconds":900},{"name":"b","kind":"job","phase":"pre","timeoutSeconds":900}]' })).toBe('checks');
    expect(() => policyInputFrom({ freeze: '{nope' }, parseJsonText)).toThrow('freeze is not valid JSON');
    expect(policyFieldOf('freeze is not valid JSON', [])).toBe('freeze');
    expect(policyFieldOf('policy has an unknown field "x"', [])).toBe('form');
  });

  it('keeps zod issues by form field, arrays by line', () => {
    const issues = [
      { path: ['members', 2], message: 'Invalid email address' },
      { path: ['members', 4], message: 'Invalid email address' },
      { path: ['environment'], message: 'a name' },
      { path: [], message: 'unknown', code: 'unrecognized_keys' },
    ];
    expect(issuesByField(issues, { members: 'members', environment: 'grant-environment' })).toEqual({
      members: 'line 3: Invalid email address; line 5: Invalid email address',
      'grant-environment': 'a name',
      form: 'unknown field',
    });
  });
});
