import { describe, expect, it } from 'vitest';
import { castVote, evaluateRequest, parseApprovalId } from '../../functions/domain/approval';
import { LinkExpiredError, LinkUsedError, NotAnApproverError, RequestClosedError, SelfApprovalError } from '../../functions/domain/errors';
import { approvalRequest as request } from '../support/requests';

const now = new Date('2026-11-25T10:00:00Z');
const vote = (voter: string, decision: 'approve' | 'reject' = 'approve') => ({ voter, decision, at: now.toISOString() });

describe('castVote', () => {
  it('approves once the policy is met', () => {
    const result = castVote(request(), vote('alice@example.com'), now);
    expect(result.closedAs).toBe('approved');
    expect(result.request).toMatchObject({ status: 'approved', version: 1, decidedAt: now.toISOString() });
  });

  it('stays pending until the quorum is reached, saying what is missing', () => {
    const first = castVote(request({ policy: { required: 2, rules: [] } }), vote('alice@example.com'), now);
    expect(first.closedAs).toBeUndefined();
    expect(evaluateRequest(first.request).summary).toBe('needs 1 more approval');
    expect(castVote(first.request, vote('bob@example.com'), now).closedAs).toBe('approved');
  });

  it('needs every group rule, not only the total', () => {
    const r = request({
      policy: { required: 2, rules: [{ group: 'security', min: 1 }] },
      eligible: [
        { id: 'alice@example.com', groups: ['release-managers'] },
        { id: 'bob@example.com', groups: ['release-managers'] },
        { id: 'sam@example.com', groups: ['security'] },
      ],
    });
    const two = castVote(castVote(r, vote('alice@example.com'), now).request, vote('bob@example.com'), now);
    expect(two.closedAs).toBeUndefined();
    expect(two.evaluation.summary).toContain('security');
    expect(castVote(two.request, vote('sam@example.com'), now).closedAs).toBe('approved');
  });

  it('closes as rejected on any eligible reject', () => {
    expect(castVote(request({ policy: { required: 2, rules: [] } }), vote('bob@example.com', 'reject'), now).closedAs).toBe('rejected');
  });

  it('refuses the author and the requester whatever their listing', () => {
    const r = request({ eligible: [{ id: 'carol@example.com', groups: [] }, { id: 'alice@example.com', groups: [] }] });
    expect(() => castVote(r, vote('Carol@Example.com'), now)).toThrow(SelfApprovalError);
    expect(() => castVote(r, vote('ci:pipeline'), now)).toThrow(SelfApprovalError);
  });

  it('refuses people who are not eligible, second votes, closed and expired requests', () => {
    expect(() => castVote(request(), vote('mallory@example.com'), now)).toThrow(NotAnApproverError);
    const voted = request({ policy: { required: 2, rules: [] }, votes: [vote('alice@example.com')] });
    expect(() => castVote(voted, vote('alice@example.com'), now)).toThrow(LinkUsedError);
    expect(() => castVote(request({ status: 'superseded', closedReason: 'superseded by release r2' }), vote('bob@example.com'), now)).toThrow(/superseded by release r2/);
    expect(() => castVote(request({ status: 'approved' }), vote('bob@example.com'), now)).toThrow(RequestClosedError);
    expect(() => castVote(request(), vote('bob@example.com'), new Date('2026-11-26T11:00:00Z'))).toThrow(LinkExpiredError);
  });
});

describe('approval ids', () => {
  it('name the release and the environment', () => {
    expect(parseApprovalId('9b1c.prod')).toEqual({ releaseId: '9b1c', environment: 'prod' });
    expect(parseApprovalId('no-dot')).toBeUndefined();
  });
});
