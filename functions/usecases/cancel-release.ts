import { auditEvent } from '../domain/audit';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../domain/errors';
import type { UseCaseDeps } from './deps';
import { endPendingRequest } from './end-request';
import { authorize } from './permissions';

export interface CancelledRelease {
  id: string;
  status: 'cancelled';
  /** The environments whose open requests this call closed. */
  environments: string[];
}

/**
 * D5/S8: the requester cancels a release while any environment waits for
 * approval: every open request is cancelled (audited with the identity), and
 * the release stops (what already deploys finishes; nothing new starts). The
 * API (`POST /v1/releases/{id}/cancel`) and the dashboard both call this.
 */
export async function cancelRelease(deps: UseCaseDeps, releaseId: string, identity: string): Promise<CancelledRelease> {
  const view = await deps.releases.view(releaseId);
  if (!view) throw new NotFoundError(`release ${releaseId} does not exist`);
  const { release } = view;
  const pending = view.approvals.filter((a) => a.status === 'pending' && a.gate === 'image');
  for (const request of pending) await authorize(deps.directory, identity, 'release.cancel-own', { app: release.app, environment: request.environment });
  if (release.requestedBy !== identity) throw new ForbiddenError(`only ${release.requestedBy}, who requested release ${release.id}, can cancel it`);
  if (release.status !== 'waiting_for_approval' || pending.length === 0) {
    throw new InvalidStateError(`release ${release.id} is ${release.status}; only a release waiting for approval can be cancelled`);
  }
  const reason = `cancelled by ${identity}`;
  const environments: string[] = [];
  for (const request of pending) {
    const audit = auditEvent(deps, { app: release.app, actor: identity, action: 'release.cancelled', subject: `release/${release.id}/approval/${request.environment}` });
    if (await endPendingRequest(deps, request, { status: 'cancelled', reason, audit })) environments.push(request.environment);
  }
  if (environments.length === 0) throw new InvalidStateError(`the approvals of release ${release.id} were decided or closed meanwhile; it can no longer be cancelled`);
  deps.log.info('release cancelled', { releaseId: release.id, by: identity, environments });
  return { id: release.id, status: 'cancelled', environments };
}
