import type { ApprovalRequest } from '../domain/approval';
import type { ApprovalStore, TaskCallbacks } from '../domain/ports';
import { errorFields } from '../observability/logger';
import { STEP_ACTOR, type StepContext } from './context';

/**
 * B5: a newer release of the same app to the same environment supersedes the
 * older pending requests, so nobody approves something that is no longer
 * meant to ship. Each close is conditional (a request decided meanwhile stays
 * decided) and only a request this call closed has its execution ended.
 */
export async function supersedeOlderRequests(
  deps: StepContext & { approvals: ApprovalStore; workflow: TaskCallbacks },
  newer: ApprovalRequest,
): Promise<string[]> {
  const pending = await deps.approvals.listPending({ app: newer.app, environment: newer.environment });
  const older = pending.filter((r) => r.releaseId !== newer.releaseId && r.gate === newer.gate && r.createdAt <= newer.createdAt);
  const superseded: string[] = [];
  for (const request of older) {
    const reason = `superseded by release ${newer.releaseId} (${newer.image})`;
    const closed = await deps.approvals.close(request, 'superseded', reason, {
      id: deps.newId(),
      app: request.app,
      actor: STEP_ACTOR,
      action: 'release.superseded',
      subject: `release/${request.releaseId}/approval/${request.environment}`,
      at: deps.clock().toISOString(),
      detail: { by: newer.releaseId },
    });
    if (!closed) continue;
    await deps.workflow.fail(request.taskToken, 'ReleaseSuperseded', reason).catch((error: unknown) => {
      deps.log.error('could not end superseded execution', { releaseId: request.releaseId, ...errorFields(error) });
    });
    superseded.push(request.releaseId);
  }
  return superseded;
}
