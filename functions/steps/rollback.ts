import { InvalidStateError } from '../domain/errors';
import { deploymentId } from '../domain/deployment';
import { finishedDeployment, publishMetrics } from './deployment-record';
import { loadReleaseAndEnvironment, stepAudit, type EnvironmentStepInput } from './context';
import type { DeployStepDeps } from './deploy';

export interface RollbackResult {
  environment: string;
  restoredImage: string;
  failedImage: string;
}

/** Restores the image the environment ran before this release and waits until it is back. */
export function createRollbackStep(deps: DeployStepDeps) {
  return async ({ releaseId, environment }: EnvironmentStepInput): Promise<RollbackResult> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, releaseId, environment);
    const stage = release.stages[environment];
    if (!stage?.previousImage) {
      throw new InvalidStateError(`release ${releaseId} has no earlier image recorded for ${environment}; nothing to roll back to`);
    }
    deps.log.warn('rolling back', { releaseId, environment, from: stage.image, to: stage.previousImage });
    const startedAt = deps.clock().toISOString();
    await deps.cluster.setImage(env.target, stage.previousImage);
    // An empty hash removes the annotation: back to exactly the template that ran before.
    if (stage.previousConfig) await deps.cluster.applyConfig(env.target, stage.previousConfig, stage.previousConfigHash ?? '');
    await deps.cluster.waitForRollout(env.target, deps.rollout);
    const finishedAt = deps.clock().toISOString();
    const failedKind = release.type === 'rollback' || release.type === 'config' ? release.type : 'release';
    const finish = finishedDeployment(release, env, {
      kind: 'automatic-rollback',
      image: stage.previousImage,
      previousImage: stage.image,
      startedAt,
      finishedAt,
      result: 'succeeded',
      rolledBackId: deploymentId(stage.startedAt, release.id, failedKind),
    });
    await deps.releases.saveStage(
      release,
      { ...stage, status: 'rolled_back', finishedAt },
      stepAudit(deps, release, 'deployment.rolled-back', environment, { restoredImage: stage.previousImage, failedImage: stage.image }),
      finish,
    );
    publishMetrics(deps.emitMetrics, finish);
    return { environment, restoredImage: stage.previousImage, failedImage: stage.image };
  };
}
