import { approvalId, excludedVoters, type ApprovalRequest, type UpstreamEvidence } from '../domain/approval';
import { eligibleVoters } from '../domain/eligibility';
import { signLink, type SigningKeySource } from '../domain/approval-link';
import { membersWithRole, type Directory } from '../domain/authorization';
import type { Environment } from '../domain/catalog';
import { ClusterUnreachableError, MailUnavailableError, NoEligibleApproversError } from '../domain/errors';
import { unsatisfiable } from '../domain/policy';
import type { ApprovalStore, DirectoryStore, Mailer } from '../domain/ports';
import { stopReason, type Release } from '../domain/release';
import { isServiceIdentity } from '../domain/token';
import { errorFields } from '../observability/logger';
import { approvalEmail, breakGlassEmail } from '../views/approval-email';
import { loadReleaseAndEnvironment, stepAudit, type StepContext } from './context';
import { observeEnvironment, type DriftDeps } from '../usecases/drift';
import { supersedeOlderRequests } from '../usecases/supersede';
import { endPendingRequest } from '../usecases/end-request';
import type { CallbackDeps } from '../usecases/task-callbacks';

export interface RequestApprovalDeps extends StepContext, CallbackDeps, DriftDeps {
  approvals: ApprovalStore;
  directory: DirectoryStore;
  mailer: Mailer;
  signingSecret: SigningKeySource;
  publicBaseUrl: string;
}

export interface RequestApprovalInput {
  releaseId: string;
  environment: string;
  timeoutSeconds: number;
  taskToken: string;
}

/**
 * Opens the approval request (holding the task token) and emails each approver
 * asked a personal signed link; older pending requests of the environment are
 * superseded. The state machine then waits until a decision resumes it or its
 * timeout expires the request. Break-glass and ungated environments resume at once.
 */
export function createRequestApprovalStep(deps: RequestApprovalDeps) {
  return async (input: RequestApprovalInput): Promise<{ notified: string[] }> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, input.releaseId, input.environment);
    // Another environment of the release already ended badly: nobody should be asked any more.
    const stopped = stopReason(release);
    if (stopped) {
      await deps.workflow.fail(input.taskToken, 'ReleaseCancelled', `the release stopped because ${stopped}`);
      return { notified: [] };
    }
    const directory = await deps.directory.get();
    if (env.policy.required === 0 && env.policy.rules.length === 0) {
      // An ungated environment still passes through the same state, so the history reads the same.
      await deps.workflow.resume(input.taskToken, { decision: 'approved', approvedBy: [], reason: `${env.name} requires no approval` });
      return { notified: [] };
    }
    if (release.breakGlass) return breakGlass(deps, input, release, env, directory);
    const eligible = eligibleVoters(directory, env, release);
    const missing = unsatisfiable(env.policy, eligible, excludedVoters(release));
    if (missing) {
      throw new NoEligibleApproversError(`${env.name} can never be approved for this release: ${missing} (the author and requester cannot approve)`);
    }
    // "Running now" comes from the cluster, not the record; a difference is drift, recorded and shown to approvers.
    // An unreachable cluster does not hold up the request: approvers then see the record.
    const observed = await observeEnvironment(deps, env).catch((error: unknown) => {
      if (!(error instanceof ClusterUnreachableError)) throw error;
      deps.log.warn('could not read what runs now; approvers see the recorded image', { releaseId: release.id, environment: env.name, ...errorFields(error) });
      return undefined;
    });
    const now = deps.clock();
    const request: ApprovalRequest = {
      id: approvalId(release.id, env.name),
      gate: 'image',
      releaseId: release.id,
      app: release.app,
      environment: env.name,
      image: release.image,
      requestedBy: release.requestedBy,
      labels: release.labels,
      policy: { required: env.policy.required, rules: env.policy.rules },
      policyVersion: env.policyVersion ?? 0,
      eligible,
      notified: eligible.map((v) => v.id).filter((id) => !isServiceIdentity(id)),
      votes: [],
      status: 'pending',
      taskToken: input.taskToken,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString(),
      version: 0,
      ...(release.commit ? { commit: release.commit } : {}),
      ...(release.author ? { author: release.author } : {}),
      ...(release.comment ? { comment: release.comment } : {}),
      ...(observed ? { currentImage: observed.live.image } : env.current ? { currentImage: env.current.image } : {}),
      ...(observed?.drift ? { drift: observed.drift } : {}),
      upstream: upstreamEvidence(release, env.name),
    };
    await deps.approvals.open(request, stepAudit(deps, release, 'approval.requested', `approval/${env.name}`, { eligible: request.notified, policy: request.policy }));
    // A sibling may have failed while this request was being opened, after the release's stop looked for open requests.
    const latest = await deps.releases.get(release.id);
    const stoppedMeanwhile = latest && stopReason(latest);
    if (stoppedMeanwhile) {
      const reason = `the release stopped because ${stoppedMeanwhile}`;
      await endPendingRequest(deps, request, { status: 'cancelled', reason, audit: stepAudit(deps, release, 'release.cancelled', `approval/${env.name}`, { reason }) });
      return { notified: [] };
    }
    const notified = await notify(deps, request);
    // Only once someone was told does this request replace the older ones: a mail outage must not cost both.
    if (env.policy.supersede) await supersedeOlderRequests(deps, request);
    deps.log.info('approval requested', { releaseId: release.id, environment: env.name, notified, expiresAt: request.expiresAt });
    return { notified };
  };
}

/** The checks of the environments this one follows, as they ran in this release. */
function upstreamEvidence(release: Release, environment: string): UpstreamEvidence[] {
  const after = release.pipeline.find((node) => node.name === environment)?.after ?? [];
  return after.map((name) => ({
    environment: name,
    checks: (release.stages[name]?.checks ?? []).map(({ name: check, kind, phase, passed, summary }) => ({ name: check, kind, phase, passed, summary })),
  }));
}

async function notify(deps: RequestApprovalDeps, request: ApprovalRequest): Promise<string[]> {
  const secret = await deps.signingSecret();
  const expiresAt = Math.floor(Date.parse(request.expiresAt) / 1000);
  const notified = await sendAll(deps, request.notified, (approver) => {
    const token = signLink({ releaseId: request.releaseId, app: request.app, environment: request.environment, approver, expiresAt }, secret);
    return approvalEmail(request, approver, `${deps.publicBaseUrl}/approve/${token}`);
  });
  // If nobody could be told, waiting is pointless; the state machine retries MailUnavailable, then ends the release (closing the request).
  if (notified.length === 0 && request.notified.length > 0) {
    throw new MailUnavailableError(`no approval email could be sent for release ${request.releaseId} (${request.notified.length} approver(s) asked); the mail service refused or did not answer`);
  }
  return notified;
}

/** Sends one message per recipient; a failed send is logged and does not stop the others. */
async function sendAll(deps: RequestApprovalDeps, recipients: string[], message: (to: string) => Parameters<Mailer['send']>[0]): Promise<string[]> {
  const results = await Promise.allSettled(recipients.map(async (to) => (await deps.mailer.send(message(to)), to)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') deps.log.error('email not sent', { to: recipients[i], ...errorFields(r.reason) });
  });
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/** B6: past the gate at once, loudly: every approver and admin of the environment is told. */
async function breakGlass(deps: RequestApprovalDeps, input: RequestApprovalInput, release: Release, env: Environment, directory: Directory) {
  const glass = release.breakGlass!;
  const scope = { app: env.app, environment: env.name };
  const recipients = [...new Set([...membersWithRole(directory, 'image-approver', scope), ...membersWithRole(directory, 'admin', scope)])].filter(
    (id) => !isServiceIdentity(id),
  );
  const notified = await sendAll(deps, recipients, (to) => breakGlassEmail(release, env.name, to, `${deps.publicBaseUrl}/v1/reviews`));
  deps.log.warn('break-glass deployment', { releaseId: release.id, environment: env.name, by: glass.by, notified });
  await deps.workflow.resume(input.taskToken, { decision: 'break-glass', approvedBy: [], breakGlassBy: glass.by, justification: glass.justification });
  return { notified };
}
