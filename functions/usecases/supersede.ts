import type { ApprovalRequest } from '../domain/approval';
import { auditEvent, STEP_ACTOR } from '../domain/audit';
import type { ApprovalStore } from '../domain/ports';
import { endPendingRequest } from './end-request';
import type { CallbackDeps } from './task-callbacks';

/**
 * B5: a newer release of the same app to the same environment supersedes the
 * older pending requests, so nobody approves something that is no longer
 * meant to ship.
 */
export async function supersedeOlderRequests(deps: CallbackDeps & { approvals: ApprovalStore }, newer: ApprovalRequest): Promise<string[]> {
  const pending = await deps.approvals.listPending({ app: newer.app, environment: newer.environment });
  const older = pending.filter((r) => r.releaseId !== newer.releaseId && r.gate === newer.gate && r.createdAt <= newer.createdAt);
  const superseded: string[] = [];
  for (const request of older) {
    const reason = `superseded by release ${newer.releaseId} (${newer.image})`;
    const audit = auditEvent(deps, {
      app: request.app,
      actor: STEP_ACTOR,
      action: 'release.superseded',
      subject: `release/${request.releaseId}/approval/${request.environment}`,
      detail: { by: newer.releaseId },
    });
    if (await endPendingRequest(deps, request, { status: 'superseded', reason, audit })) superseded.push(request.releaseId);
  }
  return superseded;
}
