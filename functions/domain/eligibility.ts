import { excludedVoters, normaliseIdentity } from './approval';
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

