import { InvalidStateError } from '../domain/errors';
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
    await deps.cluster.setImage(env.target, stage.previousImage);
    await deps.cluster.waitForRollout(env.target, deps.rollout);
    await deps.releases.saveStage(
      release,
      { ...stage, status: 'rolled_back', finishedAt: deps.clock().toISOString() },
      stepAudit(deps, release, 'deployment.rolled-back', environment, { restoredImage: stage.previousImage, failedImage: stage.image }),
    );
    return { environment, restoredImage: stage.previousImage, failedImage: stage.image };
  };
}
