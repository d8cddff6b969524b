import type { ClusterGateway, DeploymentTarget } from '../domain/cluster';
import { InvalidStateError } from '../domain/errors';
import { deploymentId, deploymentKindOf, type Deployment } from '../domain/deployment';
import type { Release, Stage } from '../domain/release';
import { errorFields } from '../observability/logger';
import { finishedDeployment, publishMetrics } from './deployment-record';
import { describeFailure, type StepFailure } from './failure';
import { loadReleaseAndEnvironment, stepAudit, type EnvironmentStepInput } from './context';
import { recordDeployOutcome } from './deploy-outcome';
import type { DeployStepDeps } from './deploy';

export interface RollbackResult {
  environment: string;
  restoredImage: string;
  failedImage: string;
}

/** Input of RecordRollbackFailed: the rollback state's error, after its retries. */
export interface RollbackFailureInput extends EnvironmentStepInput {
  rollbackFailure: StepFailure;
}

/** Replaces the state's `failure`, so RecordFailed ends the release with this reason. */
export interface RecordedRollbackFailure {
  Error: 'RollbackFailed';
  Cause: string;
}

/** Input of RollBack: what failed (a rollout, a post-deployment check, or a step that could not finish). */
export interface RollbackInput extends EnvironmentStepInput {
  failure?: StepFailure;
}

/**
 * Restores the image the environment ran before this release and waits until
 * it is back. A deployment that rolled out but failed its verification is
 * first recorded as failed, with the check's evidence (DORA change failure).
 */
export function createRollbackStep(deps: DeployStepDeps) {
  return async ({ releaseId, environment, failure }: RollbackInput): Promise<RollbackResult> => {
    const loaded = await loadReleaseAndEnvironment(deps, releaseId, environment);
    const recorded = loaded.release.stages[environment];
    if (!recorded?.previousImage) {
      throw new InvalidStateError(`release ${releaseId} has no earlier image recorded for ${environment}; nothing to roll back to`);
    }
    if (recorded.status === 'running') {
      await recordDeployOutcome(deps, loaded.release, loaded.env, recorded, 'failed', describeFailure(failure) ?? 'the deployment could not be verified');
    }
    // Read again after recording the failure: the rollback's record builds on the environment's new failure streak.
    const { release, env } = recorded.status === 'running' ? await loadReleaseAndEnvironment(deps, releaseId, environment) : loaded;
    const stage = release.stages[environment];
    if (!stage?.previousImage) throw new InvalidStateError(`release ${releaseId} has no earlier image recorded for ${environment}`);
    deps.log.warn('rolling back', { releaseId, environment, from: stage.image, to: stage.previousImage });
    const startedAt = deps.clock().toISOString();
    await deps.clusters.gateway(env.target.cluster).setImage(env.target, stage.previousImage);
    // An empty hash removes the annotation: back to exactly the template that ran before.
    if (stage.previousConfig) await deps.clusters.gateway(env.target.cluster).applyConfig(env.target, stage.previousConfig, stage.previousConfigHash ?? '');
    await deps.clusters.gateway(env.target.cluster).waitForRollout(env.target, deps.rollout);
    const finishedAt = deps.clock().toISOString();
    const restored = await restoredDeployment(deps, release, environment, stage.previousImage);
    const finish = finishedDeployment(release, env, {
      kind: 'automatic-rollback',
      image: stage.previousImage,
      previousImage: stage.image,
      startedAt,
      finishedAt,
      result: 'succeeded',
      rolledBackId: failedDeploymentId(release, stage),
      provenance: restored ? { commit: restored.commit, approvers: restored.approvers, configVersion: restored.configVersion, configHash: restored.configHash } : { approvers: [] },
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

/**
 * The rollback failed after its retries: production runs neither what was
 * approved nor what ran before, as far as anyone knows. Say so everywhere an
 * operator looks: the stage (`rollback_failed`), the failed deployment's
 * history record, an audit event, the environment's attention flag, and the
 * release's reason, with what the cluster runs now when it answers.
 */
export function createRecordRollbackFailureStep(deps: DeployStepDeps) {
  return async ({ releaseId, environment, rollbackFailure }: RollbackFailureInput): Promise<RecordedRollbackFailure> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, releaseId, environment);
    const stage = release.stages[environment];
    if (!stage) throw new InvalidStateError(`release ${releaseId} has no stage in ${environment}`);
    const why = describeFailure(rollbackFailure) ?? 'unknown error';
    const runsNow = await whatRunsNow(deps.clusters.gateway(env.target.cluster), env.target);
    const cause = `${env.app}/${environment} needs attention: rolling back from ${stage.image} to ${stage.previousImage ?? 'the previous image'} failed (${why}); ${runsNow}`;
    deps.log.error('rollback failed', { releaseId, environment, reason: why, runsNow });
    if (stage.status !== 'rollback_failed') {
      await deps.releases.recordRollbackFailure(
        release,
        { ...stage, status: 'rollback_failed', finishedAt: deps.clock().toISOString(), detail: cause },
        failedDeploymentId(release, stage),
        stepAudit(deps, release, 'deployment.rollback-failed', environment, { failedImage: stage.image, intendedImage: stage.previousImage, reason: why, runsNow }),
      );
    }
    return { Error: 'RollbackFailed', Cause: cause };
  };
}

/** "the cluster runs <image>", or why that is unknown. */
async function whatRunsNow(cluster: ClusterGateway, target: DeploymentTarget): Promise<string> {
  try {
    return `the cluster runs ${(await cluster.readWorkload(target)).image}`;
  } catch (error) {
    const { error: name, detail } = errorFields(error);
    return `what the cluster runs is unknown (${String(name)}: ${String(detail ?? '')})`;
  }
}

/** The latest good deployment of the image being restored (it says who shipped it). */
async function restoredDeployment(deps: DeployStepDeps, release: Release, environment: string, image: string): Promise<Deployment | undefined> {
  const { deployments } = await deps.deployments.history(release.app, environment, { limit: 50 });
  return deployments.find((d) => d.releaseId !== release.id && d.image === image && (d.result === 'succeeded' || d.type === 'automatic-rollback'));
}

function failedDeploymentId(release: Release, stage: Stage): string {
  return deploymentId(stage.deployStartedAt ?? stage.startedAt, release.id, deploymentKindOf(release));
}
