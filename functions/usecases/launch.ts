import { auditEvent, type AuditAction, type AuditEvent } from '../domain/audit';
import { WorkflowUnavailableError } from '../domain/errors';
import type { IdempotencyRecord } from '../domain/ports';
import { parsePinnedImage } from '../domain/image';
import { executionName, type Release } from '../domain/release';
import { errorFields } from '../observability/logger';
import type { UseCaseDeps } from './deps';

/**
 * Records a release (a new one or a rollback), then starts its execution. The
 * execution ARN is known before the start, so the stored release always points
 * at its execution; if the start fails the release is ended as failed rather
 * than left running.
 */
export async function launch(
  deps: UseCaseDeps,
  release: Release,
  input: { action: AuditAction; detail: Record<string, unknown>; approvalTimeoutSeconds: number; rollbackRequiresApproval?: boolean; idempotency?: IdempotencyRecord },
): Promise<Release> {
  const audit = (action: AuditAction, detail: Record<string, unknown>): AuditEvent =>
    auditEvent(deps, {
      app: release.app,
      actor: release.requestedBy,
      action,
      subject: `release/${release.id}`,
      detail,
    });
  await deps.releases.create(release, audit(input.action, input.detail), input.idempotency);
  try {
    await deps.workflow.start(release.executionName, {
      releaseId: release.id,
      type: release.type ?? 'release',
      app: release.app,
      image: release.image,
      stagingEnvironment: release.stagingEnvironment,
      productionEnvironment: release.productionEnvironment,
      approvalTimeoutSeconds: input.approvalTimeoutSeconds,
      rollbackRequiresApproval: input.rollbackRequiresApproval ?? false,
    });
  } catch (error) {
    deps.log.error('could not start execution', { releaseId: release.id, ...errorFields(error) });
    const reason = 'the release workflow could not be started';
    const forgetIdempotency = input.idempotency && { identity: input.idempotency.identity, key: input.idempotency.key };
    await deps.releases.finish(release.id, { status: 'failed', at: deps.clock().toISOString(), reason, ...(forgetIdempotency ? { forgetIdempotency } : {}) }, audit('release.start-failed', { reason }));
    throw new WorkflowUnavailableError(`${reason}; release ${release.id} was marked failed, retry the request`, { cause: error });
  }
  deps.log.info('release started', { releaseId: release.id, type: release.type ?? 'release', app: release.app, image: release.image, execution: release.executionName, requestedBy: release.requestedBy });
  return release;
}

/**
 * A release that changes one environment only (a rollback, or a rollout of
 * newly approved configuration): no staging, no new image approval.
 */
export function singleEnvironmentRelease(
  deps: Pick<UseCaseDeps, 'clock' | 'newId' | 'workflow'>,
  input: Pick<Release, 'app' | 'image' | 'labels' | 'requestedBy' | 'approvedBy' | 'comment' | 'commit' | 'rollbackOf'> & {
    type: 'rollback' | 'config';
    environment: string;
  },
): Release {
  const { environment, image: reference, ...fields } = input;
  const image = parsePinnedImage(reference);
  const now = deps.clock();
  const id = deps.newId();
  const name = executionName(input.app, image, now, id);
  // Absent optional fields stay undefined; the store drops undefined attributes.
  return {
    ...fields,
    id,
    image: image.reference,
    digest: image.digest,
    status: 'running',
    stagingEnvironment: environment,
    productionEnvironment: environment,
    executionName: name,
    executionArn: deps.workflow.executionArn(name),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    stages: {},
  };
}
