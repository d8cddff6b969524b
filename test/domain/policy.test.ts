import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors';
import { DEFAULT_POLICY, evaluate, parsePolicy, unsatisfiable, type BallotVote, type Voter } from '../../functions/domain/policy';

const approve = (voter: string): BallotVote => ({ voter, decision: 'approve' });
const reject = (voter: string): BallotVote => ({ voter, decision: 'reject' });

const alice: Voter = { id: 'alice@example.com', groups: ['release-managers'] };
const bob: Voter = { id: 'bob@example.com', groups: ['release-managers'] };
const sam: Voter = { id: 'sam@example.com', groups: ['security'] };
/** In both groups. */
const rita: Voter = { id: 'rita@example.com', groups: ['release-managers', 'security'] };
const carol: Voter = { id: 'carol@example.com', groups: ['release-managers'] };

const twoManagersAndSecurity = { required: 1, rules: [{ group: 'release-managers', min: 2 }, { group: 'security', min: 1 }] };

describe('evaluate', () => {
  it('approves a single-approval policy on one eligible approval', () => {
    const policy = { required: 1, rules: [] };
    expect(evaluate(policy, [alice, bob], [], [])).toEqual({ status: 'pending', approvals: 0, missing: [{ count: 1 }], summary: 'needs 1 more approval' });
    expect(evaluate(policy, [alice, bob], [approve('bob@example.com')], [])).toEqual({ status: 'approved', approvals: 1, missing: [], summary: 'approved' });
  });

  it('counts toward the total until it is reached', () => {
    const result = evaluate({ required: 3, rules: [] }, [alice, bob, sam], [approve('alice@example.com')], []);
    expect(result).toMatchObject({ status: 'pending', approvals: 1, missing: [{ count: 2 }], summary: 'needs 2 more approvals' });
  });

  it('needs 2 from release-managers AND 1 from security', () => {
    const eligible = [alice, bob, sam, carol];
    const start = evaluate(twoManagersAndSecurity, eligible, [], []);
    expect(start.missing).toEqual([
      { count: 1 },
      { group: 'release-managers', count: 2 },
      { group: 'security', count: 1 },
    ]);
    // The total (1) is implied by the group needs, so it is not mentioned.
    expect(start.summary).toBe('needs 2 more from release-managers and 1 more from security');

    const managersOnly = evaluate(twoManagersAndSecurity, eligible, [approve('alice@example.com'), approve('bob@example.com'), approve('carol@example.com')], []);
    expect(managersOnly).toMatchObject({ status: 'pending', approvals: 3, missing: [{ group: 'security', count: 1 }], summary: 'needs 1 more from security' });

    const all = evaluate(twoManagersAndSecurity, eligible, [approve('alice@example.com'), approve('sam@example.com'), approve('bob@example.com')], []);
    expect(all).toMatchObject({ status: 'approved', approvals: 3, missing: [] });
  });

  it('counts one voter in two groups toward both rules but once toward the total', () => {
    const policy = { required: 3, rules: [{ group: 'release-managers', min: 1 }, { group: 'security', min: 1 }] };
    const result = evaluate(policy, [rita, alice, bob], [approve('rita@example.com')], []);
    expect(result).toMatchObject({ status: 'pending', approvals: 1, missing: [{ count: 2 }], summary: 'needs 2 more approvals' });
    expect(evaluate({ ...policy, required: 1 }, [rita], [approve('rita@example.com')], []).status).toBe('approved');
  });

  it('mentions the total when it asks for more than the groups do', () => {
    const policy = { required: 3, rules: [{ group: 'security', min: 1 }] };
    expect(evaluate(policy, [alice, bob, sam], [], []).summary).toBe('needs 3 more approvals, including 1 more from security');
  });

  it('is rejected by any eligible approver, even after approvals', () => {
    const votes = [approve('alice@example.com'), reject('bob@example.com')];
    expect(evaluate({ required: 1, rules: [] }, [alice, bob], votes, [])).toEqual({ status: 'rejected', approvals: 1, missing: [], summary: 'rejected by bob@example.com' });
    const two = evaluate({ required: 2, rules: [] }, [alice, bob, sam], [reject('sam@example.com'), reject('bob@example.com')], []);
    expect(two.summary).toBe('rejected by sam@example.com and bob@example.com');
  });

  it('never counts the requester or the commit author, even when they are eligible', () => {
    const excluded = ['alice@example.com', 'ci:pipeline'];
    const eligible = [alice, bob, { id: 'ci:pipeline', groups: [] }];
    expect(evaluate({ required: 1, rules: [] }, eligible, [approve('alice@example.com'), approve('ci:pipeline')], excluded)).toMatchObject({ status: 'pending', approvals: 0 });
    // Nor can they block: an excluded reject is ignored.
    expect(evaluate({ required: 1, rules: [] }, eligible, [reject('ALICE@example.com'), approve('bob@example.com')], excluded).status).toBe('approved');
  });

  it('ignores votes from people who are not eligible', () => {
    const votes = [approve('mallory@example.com'), reject('eve@example.com')];
    expect(evaluate({ required: 1, rules: [] }, [alice], votes, [])).toMatchObject({ status: 'pending', approvals: 0 });
  });

  it('counts duplicate votes once, whatever the case of the email', () => {
    const votes = [approve('alice@example.com'), approve('Alice@Example.com'), approve(' alice@example.com ')];
    expect(evaluate({ required: 2, rules: [] }, [alice, bob], votes, [])).toMatchObject({ status: 'pending', approvals: 1, summary: 'needs 1 more approval' });
  });

  it('treats a voter who approved and rejected as rejecting', () => {
    const result = evaluate({ required: 1, rules: [] }, [alice], [approve('alice@example.com'), reject('alice@example.com')], []);
    expect(result).toMatchObject({ status: 'rejected', approvals: 0 });
  });

  it('approves at once when no approval is required', () => {
    expect(evaluate({ required: 0, rules: [] }, [], [], [])).toMatchObject({ status: 'approved', summary: 'approved' });
  });
});

describe('unsatisfiable', () => {
  it('is undefined when the eligible approvers could pass the policy', () => {
    expect(unsatisfiable(twoManagersAndSecurity, [alice, bob, sam], [])).toBeUndefined();
    expect(unsatisfiable(twoManagersAndSecurity, [rita, alice], [])).toBeUndefined();
    expect(unsatisfiable({ required: 0, rules: [] }, [], [])).toBeUndefined();
  });

  it('explains what would still be missing', () => {
    expect(unsatisfiable({ required: 2, rules: [] }, [alice], [])).toBe('even if all 1 eligible approver approved, it would still need 1 more approval');
    expect(unsatisfiable(twoManagersAndSecurity, [alice, bob], [])).toBe('even if all 2 eligible approvers approved, it would still need 1 more from security');
    expect(unsatisfiable({ required: 1, rules: [] }, [], [])).toBe('no one is eligible to approve, it would still need 1 more approval');
  });

  it('does not count the excluded', () => {
    expect(unsatisfiable(twoManagersAndSecurity, [alice, bob, sam], ['bob@example.com'])).toBe(
      'even if all 2 eligible approvers approved, it would still need 1 more from release-managers',
    );
    expect(unsatisfiable({ required: 1, rules: [] }, [alice, alice], ['Alice@example.com'])).toMatch(/^no one is eligible/);
  });
});

describe('parsePolicy', () => {
  it('fills omitted fields from the default policy', () => {
    expect(parsePolicy({})).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toEqual({ required: 1, rules: [], timeoutSeconds: 72 * 3600, supersede: true, rollbackRequiresApproval: false, onDrift: 'proceed', freeze: { windows: [], onFreeze: 'wait' } });
  });

  it('accepts a full policy, including rule mins that add up to more than required', () => {
    const input = {
      required: 1,
      rules: [{ group: 'release-managers', min: 2 }, { group: 'security', min: 1 }],
      timeoutSeconds: 3600,
      supersede: false,
      rollbackRequiresApproval: true,
      onDrift: 'refuse',
      freeze: { windows: [{ kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri'], start: '18:00', end: '00:00' }], onFreeze: 'fail' },
    };
    expect(parsePolicy(input)).toEqual(input);
    expect(() => parsePolicy({ rollbackRequiresApproval: 'yes' })).toThrow(/rollbackRequiresApproval must be true or false/);
    expect(() => parsePolicy({ onDrift: 'ignore' })).toThrow(/onDrift must be "proceed" or "refuse"/);
  });

  it('keeps the default policy immutable', () => {
    expect(() => (DEFAULT_POLICY.rules as unknown[]).push({ group: 'x', min: 1 })).toThrow(TypeError);
  });

  it.each([
    ['not an object', [], /policy must be an object/],
    ['an unknown field', { required: 1, approvers: [] }, /unknown field "approvers"/],
    ['a fractional count', { required: 1.5 }, /required must be a whole number from 0 to 20, got 1\.5/],
    ['too many approvals', { required: 21 }, /required must be a whole number from 0 to 20/],
    ['a negative count', { required: -1 }, /required must be a whole number/],
    ['a count as a string', { required: '2' }, /required must be a whole number .* got "2"/],
    ['rules that are not an array', { rules: { group: 'a', min: 1 } }, /rules must be an array/],
    ['a rule min of 0', { rules: [{ group: 'security', min: 0 }] }, /rules\[0\]\.min must be a whole number from 1 to 20, got 0/],
    ['a rule without min', { rules: [{ group: 'security' }] }, /rules\[0\]\.min must be a whole number .* got nothing/],
    ['an upper-case group', { rules: [{ group: 'Security', min: 1 }] }, /rules\[0\]\.group must be a group name/],
    ['a group starting with -', { rules: [{ group: '-ops', min: 1 }] }, /rules\[0\]\.group must be a group name/],
    ['a 64-character group', { rules: [{ group: 'a'.repeat(64), min: 1 }] }, /rules\[0\]\.group must be a group name/],
    ['a duplicate group', { rules: [{ group: 'security', min: 1 }, { group: 'security', min: 2 }] }, /rules\[1\]: group "security" already has a rule/],
    ['an unknown rule field', { rules: [{ group: 'security', min: 1, max: 3 }] }, /rules\[0\] has an unknown field "max"/],
    ['rules without a gate', { required: 0, rules: [{ group: 'security', min: 1 }] }, /required is 0 \(no approval gate\) but rules are set/],
    ['a timeout under a minute', { timeoutSeconds: 59 }, /timeoutSeconds must be a whole number from 60 to 2592000, got 59/],
    ['a timeout over 30 days', { timeoutSeconds: 30 * 86400 + 1 }, /timeoutSeconds must be a whole number from 60 to 2592000/],
    ['a non-boolean supersede', { supersede: 'yes' }, /supersede must be true or false, got "yes"/],
    ['a bad freeze', { freeze: { onFreeze: 'skip' } }, /freeze\.onFreeze must be "wait" or "fail", got "skip"/],
    ['a bad freeze zone', { freeze: { windows: [{ kind: 'range', timeZone: 'Mars/Olympus', from: '2026-12-24T00:00', to: '2026-12-27T00:00' }] } }, /freeze\.windows\[0\]\.timeZone: "Mars\/Olympus" is not a known IANA time zone/],
  ])('refuses %s with a readable message', (_name, input, message) => {
    expect(() => parsePolicy(input)).toThrow(ValidationError);
    expect(() => parsePolicy(input)).toThrow(message);
  });

  it('reports validation problems as 400 "validation" errors', () => {
    try {
      parsePolicy({ required: 99 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, type: 'validation', name: 'ValidationError' });
    }
  });
});
