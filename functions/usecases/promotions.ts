import { auditEvent, STEP_ACTOR } from '../domain/audit';
import type { Environment } from '../domain/catalog';
import { NotFoundError } from '../domain/errors';
import { parsePinnedImage } from '../domain/image';
import type { CatalogStore, ReleaseStore, Workflow } from '../domain/ports';
import { executionName, type Release, type Stage } from '../domain/release';
import type { Essentials } from './deps';

/**
 * A promotion is one release going to one environment: one execution of the
 * state machine (approval → pre-deployment checks → deploy → post-deployment
 * checks → record). Its stage is written `queued` before the execution starts,
 * so exactly one writer starts each, and a start whose answer was lost is
 * simply started again (the execution name makes the start idempotent).
 */
export interface PromotionDeps extends Essentials {
  releases: ReleaseStore;
  catalog: CatalogStore;
  workflow: Workflow;
}

/** The input of one promotion's execution. */
export interface PromotionInput {
  releaseId: string;
  environment: string;
  approvalTimeoutSeconds: number;
  /** Rollbacks (unless their policy asks) and config rollouts: what they deploy was approved before. */
  skipApproval: boolean;
}

/** A stage about to start: its execution is named now, so the record points at it before it exists. */
export function queuedStage(deps: Pick<PromotionDeps, 'clock' | 'workflow'>, release: Pick<Release, 'id' | 'app' | 'image'>, environment: string): Stage {
  const now = deps.clock();
  const name = executionName(release.app, environment, parsePinnedImage(release.image), now, release.id);
  return { environment, status: 'queued', image: release.image, startedAt: now.toISOString(), executionName: name, executionArn: deps.workflow.executionArn(name) };
}

export function promotionInput(release: Pick<Release, 'id' | 'type'>, env: Environment): PromotionInput {
  const skipApproval = release.type === 'config' || (release.type === 'rollback' && !env.policy.rollbackRequiresApproval);
  return { releaseId: release.id, environment: env.name, approvalTimeoutSeconds: env.policy.timeoutSeconds, skipApproval };
}

/** Starts the execution of a queued stage (again, harmlessly, if it already started); `known` is the environment read in this request. */
export async function startPromotion(deps: PromotionDeps, release: Release, stage: Stage, known?: Environment): Promise<void> {
  const env = known ?? (await deps.catalog.getEnvironment(release.app, stage.environment));
  if (!env) throw new NotFoundError(`app ${release.app} has no environment ${stage.environment} any more; release ${release.id} cannot promote to it`);
  if (!stage.executionName) throw new NotFoundError(`the stage of ${stage.environment} in release ${release.id} names no execution`);
  await deps.workflow.start(stage.executionName, { ...promotionInput(release, env) });
  deps.log.info('promotion started', { releaseId: release.id, environment: stage.environment, execution: stage.executionName });
}

/** Queues the environment's stage and starts its execution; false when another writer queued it first. */
export async function queueAndStart(deps: PromotionDeps, release: Release, environment: string): Promise<boolean> {
  const stage = queuedStage(deps, release, environment);
  const audit = auditEvent(deps, { app: release.app, actor: STEP_ACTOR, action: 'promotion.started', subject: `release/${release.id}/${environment}`, detail: { execution: stage.executionName } });
  if (!(await deps.releases.addStage(release.id, stage, audit))) return false;
  await startPromotion(deps, release, stage);
  return true;
}
