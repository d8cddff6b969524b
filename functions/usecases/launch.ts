import { auditEvent, type AuditAction, type AuditEvent } from '../domain/audit';
import type { Environment } from '../domain/catalog';
import { WorkflowUnavailableError } from '../domain/errors';
import { parsePinnedImage } from '../domain/image';
import { buildPipeline } from '../domain/pipeline';
import { readyToStart } from '../domain/pipeline-progress';
import type { IdempotencyRecord } from '../domain/ports';
import type { Release } from '../domain/release';
import { errorFields } from '../observability/logger';
import type { UseCaseDeps } from './deps';
import { queuedStage, startPromotion } from './promotions';

/**
 * Records a release (a new one, a rollback or a config rollout) with the
 * environments that start its pipeline queued, then starts their promotions.
 * Execution ARNs are known before the start, so the stored release always
 * points at its executions; if a start fails the release is ended as failed
 * rather than left running.
 */
export async function launch(
  deps: UseCaseDeps,
  draft: Omit<Release, 'stages'>,
  input: {
    action: AuditAction;
    detail: Record<string, unknown>;
    idempotency?: IdempotencyRecord;
    /** The app's environments as the caller read and judged them in this request: the starts need not read them again. */
    environments?: Environment[];
  },
): Promise<Release> {
  const audit = (action: AuditAction, detail: Record<string, unknown>): AuditEvent =>
    auditEvent(deps, { app: draft.app, actor: draft.requestedBy, action, subject: `release/${draft.id}`, detail });
  const first = readyToStart(buildPipeline(draft.pipeline), {});
  const stages = Object.fromEntries(first.map((environment) => [environment, queuedStage(deps, draft, environment)]));
  const release: Release = { ...draft, stages };
  await deps.releases.create(release, audit(input.action, input.detail), input.idempotency);
  try {
    for (const stage of Object.values(stages)) await startPromotion(deps, release, stage, input.environments?.find((env) => env.name === stage.environment));
  } catch (error) {
    deps.log.error('could not start execution', { releaseId: release.id, ...errorFields(error) });
    const reason = 'the release workflow could not be started';
    const forgetIdempotency = input.idempotency && { identity: input.idempotency.identity, key: input.idempotency.key };
    const at = deps.clock().toISOString();
    const failed = Object.values(stages).map((stage) => ({ ...stage, status: 'failed' as const, finishedAt: at, detail: reason }));
    await deps.releases.finish(release.id, { status: 'failed', at, reason, stages: failed, ...(forgetIdempotency ? { forgetIdempotency } : {}) }, audit('release.start-failed', { reason }));
    throw new WorkflowUnavailableError(`${reason}; release ${release.id} was marked failed, retry the request`, { cause: error });
  }
  deps.log.info('release started', { releaseId: release.id, type: release.type ?? 'release', app: release.app, image: release.image, started: first, requestedBy: release.requestedBy });
  return release;
}

/**
 * A release that changes one environment only (a rollback, or a rollout of
 * newly approved configuration): no other environment, no new image approval.
 */
export function singleEnvironmentRelease(
  deps: Pick<UseCaseDeps, 'clock' | 'newId'>,
  input: Pick<Release, 'app' | 'image' | 'labels' | 'requestedBy' | 'approvedBy' | 'comment' | 'commit' | 'rollbackOf'> & {
    type: 'rollback' | 'config';
    environment: Environment['name'];
  },
): Omit<Release, 'stages'> {
  const { environment, image: reference, ...fields } = input;
  const image = parsePinnedImage(reference);
  const now = deps.clock().toISOString();
  // Absent optional fields stay undefined; the store drops undefined attributes.
  return {
    ...fields,
    id: deps.newId(),
    image: image.reference,
    digest: image.digest,
    status: 'running',
    pipeline: [{ name: environment, after: [] }],
    createdAt: now,
    updatedAt: now,
  };
}
