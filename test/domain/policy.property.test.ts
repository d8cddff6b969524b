import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type BallotVote, type GroupRule, type Voter } from '../../functions/domain/policy';

const GROUPS = ['g0', 'g1', 'g2', 'g3'];
/** Voters v0..v5 may be eligible; 'outsider' never is. Case varies, as emails do. */
const IDS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'];
const VOTER_IDS = [...IDS, 'V1', 'outsider'];

const policyArb = fc.record({
  required: fc.integer({ min: 0, max: 6 }),
  rules: fc.uniqueArray(
    fc.record({ group: fc.constantFrom(...GROUPS), min: fc.integer({ min: 1, max: 4 }) }),
    { maxLength: 5, selector: (rule: GroupRule) => rule.group },
  ),
});

const eligibleArb = fc.subarray(IDS).chain((ids) =>
  fc.tuple(...ids.map((id) => fc.subarray(GROUPS).map((groups): Voter => ({ id, groups })))),
);

const voteArb = fc.record({ voter: fc.constantFrom(...VOTER_IDS), decision: fc.constantFrom<BallotVote['decision']>('approve', 'reject') });
const approveArb = fc.constantFrom(...VOTER_IDS).map((voter): BallotVote => ({ voter, decision: 'approve' }));

const scenarioArb = fc.record({
  policy: policyArb,
  eligible: eligibleArb,
  excluded: fc.subarray([...IDS, 'outsider']),
  votes: fc.array(voteArb, { maxLength: 12 }),
});

const norm = (id: string) => id.toLowerCase();

describe('evaluate (properties)', () => {
  it('(a) approved means the total and every rule are met by eligible, non-excluded, distinct approvers', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, eligible, excluded, votes }) => {
        const result = evaluate(policy, eligible, votes, excluded);
        if (result.status !== 'approved') return;
        // An independent recount.
        const counted = eligible.filter((voter) => !excluded.includes(voter.id) && votes.some((v) => norm(v.voter) === voter.id && v.decision === 'approve'));
        expect(counted.length).toBeGreaterThanOrEqual(policy.required);
        for (const rule of policy.rules) {
          expect(counted.filter((voter) => voter.groups.includes(rule.group)).length).toBeGreaterThanOrEqual(rule.min);
        }
        expect(result.approvals).toBe(counted.length);
      }),
    );
  });

  it("(b) excluded voters' votes never change the outcome", () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, eligible, excluded, votes }) => {
        const withoutExcluded = votes.filter((v) => !excluded.includes(norm(v.voter)));
        expect(evaluate(policy, eligible, votes, excluded)).toEqual(evaluate(policy, eligible, withoutExcluded, excluded));
      }),
    );
  });

  it('(c) the order of approvals does not matter', () => {
    const approvalsArb = fc.array(approveArb, { maxLength: 12 }).chain((votes) =>
      fc.tuple(fc.constant(votes), fc.shuffledSubarray(votes, { minLength: votes.length, maxLength: votes.length })),
    );
    fc.assert(
      fc.property(policyArb, eligibleArb, fc.subarray(IDS), approvalsArb, (policy, eligible, excluded, [votes, shuffled]) => {
        expect(evaluate(policy, eligible, shuffled, excluded)).toEqual(evaluate(policy, eligible, votes, excluded));
      }),
    );
  });

  it('(d) one more approval never turns approved into pending', () => {
    fc.assert(
      fc.property(scenarioArb, approveArb, fc.nat(), ({ policy, eligible, excluded, votes }, extra, at) => {
        const before = evaluate(policy, eligible, votes, excluded);
        fc.pre(before.status === 'approved');
        const position = at % (votes.length + 1);
        const after = evaluate(policy, eligible, [...votes.slice(0, position), extra, ...votes.slice(position)], excluded);
        expect(after.status).toBe('approved');
      }),
    );
  });
});
