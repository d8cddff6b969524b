import type { ApprovalRequest } from '../domain/approval';
import type { AuditEvent } from '../domain/audit';
import type { ApprovalStore, ClosedWithoutDecision } from '../domain/ports';
import { deliverCallback, type CallbackDeps } from './task-callbacks';

export interface RequestEnding {
  status: Extract<ClosedWithoutDecision, 'cancelled' | 'superseded'>;
  reason: string;
  audit: AuditEvent;
}

const ERROR_FOR: Record<RequestEnding['status'], string> = { cancelled: 'ReleaseCancelled', superseded: 'ReleaseSuperseded' };

/**
 * Closes a pending request without a decision (requester cancel, policy change,
 * a newer release) and ends the execution waiting on it. The close is
 * conditional, so a request decided meanwhile stays decided and nothing waits
 * for a callback; only a request this call closed has its execution ended.
 * Returns whether it closed it.
 */
export async function endPendingRequest(deps: CallbackDeps & { approvals: ApprovalStore }, request: ApprovalRequest, ending: RequestEnding): Promise<boolean> {
  const closed = await deps.approvals.close(request, ending.status, ending.reason, ending.audit);
  if (!closed) return false;
  // Configuration drafts wait on no execution.
  if (request.gate === 'image' && request.taskToken) {
    await deliverCallback(deps, request, { kind: 'failure', taskToken: request.taskToken, error: ERROR_FOR[ending.status], cause: ending.reason });
  }
  return true;
}
