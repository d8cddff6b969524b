import { eligibleApprovers, type ApprovalRequest } from '../domain/approval';
import { signLink } from '../domain/approval-link';
import { GatekeeperError } from '../domain/errors';
import type { ApprovalStore, Mailer, TaskCallbacks } from '../domain/ports';
import { errorFields } from '../observability/logger';
import { approvalEmail } from '../views/approval-email';
import { loadReleaseAndEnvironment, stepAudit, type StepContext } from './context';

export interface RequestApprovalDeps extends StepContext {
  approvals: ApprovalStore;
  mailer: Mailer;
  workflow: TaskCallbacks;
  signingSecret: () => Promise<string>;
  publicBaseUrl: string;
}

export interface RequestApprovalInput {
  releaseId: string;
  environment: string;
  timeoutSeconds: number;
  taskToken: string;
}

/** Not enough people could ever approve: fail now rather than wait for the timeout. */
export class NoEligibleApproversError extends GatekeeperError {
  readonly type = 'no-eligible-approvers';
  readonly status = 409;
  readonly title = 'Not enough eligible approvers';
  override readonly name = 'NoEligibleApprovers';
}

/**
 * Opens the approval request (holding the task token) and emails each eligible
 * approver a personal signed link. The state machine then waits until an
 * approver's decision resumes it, or its timeout expires the request.
 */
export function createRequestApprovalStep(deps: RequestApprovalDeps) {
  return async (input: RequestApprovalInput): Promise<{ notified: string[] }> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, input.releaseId, input.environment);
    if (env.approvalsRequired === 0) {
      // An ungated environment still passes through the same state, so the history reads the same.
      await deps.workflow.resume(input.taskToken, { decision: 'approved', approvedBy: [], reason: `${env.name} requires no approval` });
      return { notified: [] };
    }
    const approvers = eligibleApprovers(env.approvers, release);
    if (approvers.length < env.approvalsRequired) {
      throw new NoEligibleApproversError(
        `${env.name} needs ${env.approvalsRequired} approval(s) but only ${approvers.length} approver(s) are eligible (the author and requester cannot approve)`,
      );
    }
    const now = deps.clock();
    const request: ApprovalRequest = {
      releaseId: release.id,
      app: release.app,
      environment: env.name,
      image: release.image,
      requestedBy: release.requestedBy,
      labels: release.labels,
      required: env.approvalsRequired,
      approvers,
      votes: [],
      status: 'pending',
      taskToken: input.taskToken,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString(),
      version: 0,
      ...(release.commit ? { commit: release.commit } : {}),
      ...(release.author ? { author: release.author } : {}),
      ...(release.comment ? { comment: release.comment } : {}),
      ...(env.current ? { currentImage: env.current.image } : {}),
    };
    await deps.approvals.open(request, stepAudit(deps, release, 'approval.requested', `approval/${env.name}`, { approvers, required: env.approvalsRequired }));
    const notified = await notify(deps, request);
    deps.log.info('approval requested', { releaseId: release.id, environment: env.name, notified, expiresAt: request.expiresAt });
    return { notified };
  };
}

async function notify(deps: RequestApprovalDeps, request: ApprovalRequest): Promise<string[]> {
  const secret = await deps.signingSecret();
  const expiresAt = Math.floor(Date.parse(request.expiresAt) / 1000);
  const results = await Promise.allSettled(
    request.approvers.map(async (approver) => {
      const token = signLink({ releaseId: request.releaseId, environment: request.environment, approver, expiresAt }, secret);
      await deps.mailer.send(approvalEmail(request, approver, `${deps.publicBaseUrl}/approve/${token}`));
      return approver;
    }),
  );
  const notified = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  results.forEach((r, i) => {
    if (r.status === 'rejected') deps.log.error('approval email not sent', { approver: request.approvers[i], ...errorFields(r.reason) });
  });
  // If nobody could be told, waiting is pointless; failing lets Step Functions retry the task.
  if (notified.length === 0) throw new Error(`no approval email could be sent for release ${request.releaseId}`);
  return notified;
}
