import { excludedVoters, normaliseIdentity, type ApprovalRequest } from './approval';
import { groupsOf, membersWithRole, type Directory } from './authorization';
import type { Environment } from './catalog';
import type { Voter } from './policy';
import type { Release } from './release';

/**
 * Who may approve images (or configuration) of this environment, with their
 * groups: holders of the approver role (directly or through a group), minus the author and
 * the requester, narrowed to the requester's named approvers if any.
 */
export function eligibleVoters(
  directory: Directory,
  env: Pick<Environment, 'app' | 'name'>,
  release: Pick<Release, 'author' | 'requestedBy' | 'approvers'>,
  role: 'image-approver' | 'config-approver' = 'image-approver',
): Voter[] {
  const excluded = excludedVoters(release);
  const named = release.approvers?.map(normaliseIdentity);
  return membersWithRole(directory, role, { app: env.app, environment: env.name })
    .filter((id) => !excluded.includes(id) && (!named || named.includes(id)))
    .map((id) => ({ id, groups: groupsOf(directory, id) }));
}


/**
 * The request as today's directory sees it: of the people eligible when it
 * opened, only those who still hold the approver role count, with the groups
 * they are in now. A removed approver can no longer vote, and their earlier
 * vote no longer counts toward a decision not yet taken.
 */
export function withCurrentEligibility(request: ApprovalRequest, directory: Directory): ApprovalRequest {
  const role = request.gate === 'config' ? 'config-approver' : 'image-approver';
  const holders = new Set(membersWithRole(directory, role, { app: request.app, environment: request.environment }));
  const eligible = request.eligible.filter((voter) => holders.has(voter.id)).map((voter) => ({ id: voter.id, groups: groupsOf(directory, voter.id) }));
  return { ...request, eligible };
}
