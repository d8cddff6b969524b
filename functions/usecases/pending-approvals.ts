import { isSelfApproval, normaliseIdentity, type ApprovalRequest } from '../domain/approval';
import { can } from '../domain/authorization';
import { withCurrentEligibility } from '../domain/eligibility';
import type { UseCaseDeps } from './deps';

/** The pending requests as one identity sees them, each judged (like a vote) against today's directory. */
export interface PendingForIdentity {
  /** S7: what this identity may still decide (eligible, not voted, not expired): `GET /v1/approvals?status=pending`. */
  mine: ApprovalRequest[];
  /** Requests of releases this identity authored or requested: never theirs to decide (self-approval), theirs to cancel. */
  own: ApprovalRequest[];
  /** Every other pending request of apps this identity may view (already voted, or not an approver): shown, not decidable. */
  others: ApprovalRequest[];
}

/**
 * One read of the pending requests and the directory, sorted into what the
 * identity may decide, its own, and the rest it may see. The API's pending
 * list and the dashboard both come from here, so they never disagree on who
 * may decide what; the vote itself is still judged by recordVote.
 */
export async function pendingApprovals(deps: Pick<UseCaseDeps, 'approvals' | 'directory' | 'clock'>, identity: string): Promise<PendingForIdentity> {
  const who = normaliseIdentity(identity);
  const now = deps.clock().getTime();
  const directory = await deps.directory.get();
  const result: PendingForIdentity = { mine: [], own: [], others: [] };
  for (const stored of await deps.approvals.listPending()) {
    const request = withCurrentEligibility(stored, directory);
    if (request.eligible.some((e) => e.id === who) && !request.votes.some((v) => v.voter === who) && Date.parse(request.expiresAt) > now) result.mine.push(request);
    else if (isSelfApproval(request, who)) result.own.push(request);
    else if (can(directory, who, 'release.view', { app: request.app, environment: request.environment })) result.others.push(request);
  }
  return result;
}

/** S7: the requests `identity` may still decide, oldest first. */
export async function pendingDecisions(deps: Pick<UseCaseDeps, 'approvals' | 'directory' | 'clock'>, identity: string): Promise<ApprovalRequest[]> {
  return (await pendingApprovals(deps, identity)).mine;
}
