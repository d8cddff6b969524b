import type { CheckDefinition, CheckPhase } from '../domain/checks';
import type { Environment } from '../domain/catalog';
import { deploymentKindOf } from '../domain/deployment';
import type { Release, Stage } from '../domain/release';
import { finishedDeployment, publishMetrics } from './deployment-record';
import { stepAudit } from './context';
import type { DeployStepDeps } from './deploy';

/**
 * The environment's checks of one phase for this release. A rollback restores
 * a version that already passed them, and must not be stopped by the failure
 * it is undoing, so it runs none.
 */
export function checksFor(env: Environment, release: Pick<Release, 'type'>, phase: CheckPhase): CheckDefinition[] {
  if (release.type === 'rollback') return [];
  return (env.policy.checks ?? []).filter((check) => check.phase === phase);
}

/**
 * Ends the deployment part of a stage: the stage, its history record, the
 * day's metrics and (on success) what the environment runs, in one
 * transaction. A success is recorded once the rollout is verified (after the
 * post-deployment checks); a failure with the reason (the rollout's, or the
 * check's evidence), which the rollback then marks rolled back.
 */
export async function recordDeployOutcome(deps: DeployStepDeps, release: Release, env: Environment, stage: Stage, result: 'succeeded' | 'failed', reason?: string): Promise<Stage> {
  const finishedAt = deps.clock().toISOString();
  const finish = finishedDeployment(release, env, {
    kind: deploymentKindOf(release),
    image: stage.image,
    ...(stage.previousImage ? { previousImage: stage.previousImage } : {}),
    startedAt: stage.deployStartedAt ?? stage.startedAt,
    finishedAt,
    result,
    ...(reason ? { reason } : {}),
    ...(stage.configVersion ? { configVersion: stage.configVersion, configHash: stage.configHash } : {}),
  });
  const ended: Stage = { ...stage, status: result, finishedAt, ...(reason ? { detail: reason } : {}) };
  const audit =
    result === 'succeeded'
      ? stepAudit(deps, release, 'deployment.succeeded', env.name, { image: stage.image })
      : stepAudit(deps, release, 'deployment.failed', env.name, { image: stage.image, reason });
  await deps.releases.saveStage(release, ended, audit, finish);
  publishMetrics(deps.emitMetrics, finish);
  return ended;
}
