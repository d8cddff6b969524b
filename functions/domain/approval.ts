import {
  LinkExpiredError,
  LinkUsedError,
  NotAnApproverError,
  RequestClosedError,
  SelfApprovalError,
} from './errors';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
export type Decision = 'approve' | 'reject';

export interface Vote {
  voter: string;
  decision: Decision;
  comment?: string;
  at: string;
}

/**
 * A release's request for approval into one environment. It snapshots what is
 * being approved so the confirmation page and the audit trail show exactly the
 * digest the approvers saw.
 */
export interface ApprovalRequest {
  releaseId: string;
  app: string;
  environment: string;
  image: string;
  commit?: string;
  author?: string;
  requestedBy: string;
  labels: string[];
  comment?: string;
  /** What the environment ran when approval was requested. */
  currentImage?: string;
  required: number;
  /** Who may vote: the environment's approvers minus the author and the requester. */
  approvers: string[];
  votes: Vote[];
  status: ApprovalStatus;
  taskToken: string;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  /** Optimistic-concurrency counter: every write is conditional on it. */
  version: number;
}

const normalise = (email: string) => email.trim().toLowerCase();

/** People who can never approve a release: whoever wrote it and whoever asked for it. */
export function isSelfApproval(request: Pick<ApprovalRequest, 'author' | 'requestedBy'>, voter: string): boolean {
  const self = [request.author, request.requestedBy].filter((x): x is string => Boolean(x)).map(normalise);
  return self.includes(normalise(voter));
}

export function eligibleApprovers(candidates: string[], release: Pick<ApprovalRequest, 'author' | 'requestedBy'>): string[] {
  const unique = [...new Set(candidates.map(normalise))];
  return unique.filter((email) => !isSelfApproval(release, email));
}

export interface VoteResult {
  request: ApprovalRequest;
  /** The vote as recorded (voter normalised). */
  vote: Vote;
  /** Set when this vote closed the request. */
  closedAs?: 'approved' | 'rejected';
}

/**
 * Applies one vote. Pure: the caller persists the result conditionally on
 * `request.version`, so concurrent votes cannot both win. Any eligible
 * approver's reject closes the request; it is approved once `required`
 * distinct eligible approvers said yes.
 */
export function castVote(request: ApprovalRequest, vote: Vote, now: Date): VoteResult {
  const voter = normalise(vote.voter);
  if (isSelfApproval(request, voter)) {
    throw new SelfApprovalError(`${voter} requested or authored release ${request.releaseId} and cannot approve it`);
  }
  if (!request.approvers.includes(voter)) {
    throw new NotAnApproverError(`${voter} is not an approver of ${request.app}/${request.environment}`);
  }
  if (request.votes.some((v) => v.voter === voter)) {
    throw new LinkUsedError(`${voter} already voted on release ${request.releaseId}; a link works once`);
  }
  if (request.status !== 'pending') {
    throw new RequestClosedError(`the approval of release ${request.releaseId} for ${request.environment} is already ${request.status}`);
  }
  if (now.getTime() >= Date.parse(request.expiresAt)) {
    throw new LinkExpiredError(`the approval request of release ${request.releaseId} expired at ${request.expiresAt}`);
  }
  const recorded = { ...vote, voter };
  const votes = [...request.votes, recorded];
  const closedAs = decide(request.required, votes);
  const next: ApprovalRequest = {
    ...request,
    votes,
    status: closedAs ?? 'pending',
    version: request.version + 1,
    ...(closedAs ? { decidedAt: vote.at } : {}),
  };
  return closedAs ? { request: next, vote: recorded, closedAs } : { request: next, vote: recorded };
}

function decide(required: number, votes: Vote[]): 'approved' | 'rejected' | undefined {
  if (votes.some((v) => v.decision === 'reject')) return 'rejected';
  const approvals = votes.filter((v) => v.decision === 'approve').length;
  return approvals >= required ? 'approved' : undefined;
}

/** Human summary for pages and API: "needs 1 more approval". */
export function missingApprovals(request: ApprovalRequest): number {
  const approvals = request.votes.filter((v) => v.decision === 'approve').length;
  return Math.max(0, request.required - approvals);
}
