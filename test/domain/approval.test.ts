import { describe, expect, it } from 'vitest';
import { castVote, eligibleApprovers, missingApprovals, type ApprovalRequest } from '../../functions/domain/approval';
import { LinkExpiredError, LinkUsedError, NotAnApproverError, RequestClosedError, SelfApprovalError } from '../../functions/domain/errors';

const now = new Date('2026-11-25T10:00:00Z');
const request = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  releaseId: 'r1',
  app: 'hello-web',
  environment: 'prod',
  image: `repo@sha256:${'a'.repeat(64)}`,
  author: 'carol@example.com',
  requestedBy: 'ci:pipeline',
  labels: [],
  required: 1,
  approvers: ['alice@example.com', 'bob@example.com'],
  votes: [],
  status: 'pending',
  taskToken: 't',
  createdAt: '2026-11-25T09:00:00Z',
  expiresAt: '2026-11-25T11:00:00Z',
  version: 0,
  ...overrides,
});
const vote = (voter: string, decision: 'approve' | 'reject' = 'approve') => ({ voter, decision, at: now.toISOString() });

describe('castVote', () => {
  it('approves once the required number of approvers said yes', () => {
    const result = castVote(request(), vote('alice@example.com'), now);
    expect(result.closedAs).toBe('approved');
    expect(result.request).toMatchObject({ status: 'approved', version: 1, decidedAt: now.toISOString() });
  });

  it('stays pending until the quorum is reached', () => {
    const first = castVote(request({ required: 2 }), vote('alice@example.com'), now);
    expect(first.closedAs).toBeUndefined();
    expect(missingApprovals(first.request)).toBe(1);
    expect(castVote(first.request, vote('bob@example.com'), now).closedAs).toBe('approved');
  });

  it('closes as rejected on any eligible reject', () => {
    expect(castVote(request({ required: 2 }), vote('bob@example.com', 'reject'), now).closedAs).toBe('rejected');
  });

  it('refuses the author and the requester whatever their listing', () => {
    const r = request({ approvers: ['carol@example.com', 'alice@example.com'] });
    expect(() => castVote(r, vote('Carol@Example.com'), now)).toThrow(SelfApprovalError);
    expect(() => castVote(r, vote('ci:pipeline'), now)).toThrow(SelfApprovalError);
  });

  it('refuses people who are not approvers, second votes, closed and expired requests', () => {
    expect(() => castVote(request(), vote('mallory@example.com'), now)).toThrow(NotAnApproverError);
    const voted = request({ required: 2, votes: [vote('alice@example.com')] });
    expect(() => castVote(voted, vote('alice@example.com'), now)).toThrow(LinkUsedError);
    expect(() => castVote(request({ status: 'approved' }), vote('bob@example.com'), now)).toThrow(RequestClosedError);
    expect(() => castVote(request(), vote('bob@example.com'), new Date('2026-11-25T11:00:00Z'))).toThrow(LinkExpiredError);
  });
});

describe('eligibleApprovers', () => {
  it('drops the author and requester and de-duplicates case-insensitively', () => {
    expect(eligibleApprovers(['Alice@example.com', 'alice@example.com', 'carol@example.com'], { author: 'carol@example.com', requestedBy: 'ci:x' })).toEqual([
      'alice@example.com',
    ]);
  });
});
