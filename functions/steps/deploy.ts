import type { ClusterGateway, RolloutOptions } from '../domain/cluster';
import type { ConfigStore, DeploymentStore, EnvironmentHealth } from '../domain/ports';
import { DriftDetectedError, FrozenError, RolloutFailedError } from '../domain/errors';
import { observeEnvironment } from '../usecases/drift';
import { activeFreeze } from '../domain/freeze';
import type { Stage } from '../domain/release';
import { errorFields } from '../observability/logger';
import { finishedDeployment, publishMetrics } from './deployment-record';
import { loadReleaseAndEnvironment, stepAudit, type EnvironmentStepInput, type StepContext } from './context';

export interface DeployStepDeps extends StepContext {
  cluster: ClusterGateway;
  configs: ConfigStore;
  health: EnvironmentHealth;
  /** History: a rollback looks up who shipped what it restores. */
  deployments: DeploymentStore;
  rollout: RolloutOptions;
  /** Writes a CloudWatch EMF line (Lambda); absent locally. */
  emitMetrics?: (line: string) => void;
}

/** Output of DeployToStaging / DeployToProduction, shown in the console's execution history. */
export type DeployOutput = DeployResult | FrozenResult;

/** The environment is frozen and its policy waits: nothing was deployed; the state machine waits until `frozenUntil`. */
export interface FrozenResult {
  environment: string;
  frozenUntil: string;
  reason: string;
}

export interface DeployResult {
  environment: string;
  namespace: string;
  deployment: string;
  image: string;
  previousImage: string;
  replicas: number;
  rolledOutAt: string;
}

/**
 * Sets the release's exact digest on the environment's Deployment and waits for
 * the rollout. The stage is recorded before the cluster is touched, so a
 * retried invocation keeps the image that ran before this release as the
 * rollback target instead of its own.
 */
export function createDeployStep(deps: DeployStepDeps) {
  return async ({ releaseId, environment }: EnvironmentStepInput): Promise<DeployOutput> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, releaseId, environment);
    // Break-glass passes a freeze, and so does restoring a known-good version.
    const exempt = Boolean(release.breakGlass) || release.type === 'rollback';
    const freeze = exempt ? undefined : activeFreeze(env.policy.freeze, deps.clock());
    if (freeze) {
      const reason = `${env.app}/${env.name} is frozen until ${freeze.endsAt.toISOString()}${freeze.window.reason ? ` (${freeze.window.reason})` : ''}`;
      if (env.policy.freeze.onFreeze === 'fail') throw new FrozenError(`${reason}; the policy refuses deploys during a freeze`);
      deps.log.info('waiting for freeze to end', { releaseId, environment, until: freeze.endsAt.toISOString() });
      return { environment, frozenUntil: freeze.endsAt.toISOString(), reason };
    }
    const kind = release.type === 'rollback' || release.type === 'config' ? release.type : 'release';
    const earlier = release.stages[environment];
    if (earlier?.status === 'succeeded' && earlier.image === release.image) {
      // A retried invocation after the success was recorded: report it again, change nothing.
      return { environment, ...env.target, image: release.image, previousImage: earlier.previousImage ?? '', replicas: 0, rolledOutAt: earlier.finishedAt ?? earlier.startedAt };
    }
    // What runs is read from the cluster, compared with the record (drift is audited), and becomes the rollback target.
    const observed = earlier ? undefined : await observeEnvironment(deps, env);
    if (observed?.drift && env.policy.onDrift === 'refuse' && !exempt) {
      const { drift } = observed;
      throw new DriftDetectedError(
        `${env.app}/${env.name} runs ${drift.image} but Gatekeeper recorded ${drift.expectedImage} (changed outside Gatekeeper, seen since ${drift.since}); the policy refuses to deploy over drift: restore the recorded version or change the policy's onDrift`,
      );
    }
    const previousImage = earlier?.previousImage ?? observed?.live.image ?? '';
    // Deployments carry the latest published configuration (never a draft); a rollback restores its target's version.
    const pinned = release.type === 'rollback' ? release.rollbackOf?.configVersion : undefined;
    const config = pinned !== undefined ? await deps.configs.version(env.app, env.name, pinned) : await deps.configs.latest(env.app, env.name);
    const live = config && !earlier ? await deps.cluster.readConfig(env.target) : undefined;
    const stage: Stage = {
      environment,
      status: 'running',
      image: release.image,
      previousImage,
      startedAt: earlier?.startedAt ?? deps.clock().toISOString(),
      ...(config ? { configVersion: config.version, configHash: config.hash } : {}),
      ...(earlier?.previousConfig ? { previousConfig: earlier.previousConfig, previousConfigHash: earlier.previousConfigHash } : {}),
      ...(live ? { previousConfig: live.config, ...(live.hash ? { previousConfigHash: live.hash } : {}) } : {}),
    };
    const applied = config ? { configVersion: config.version, configHash: config.hash } : {};
    const driftDetail = observed?.drift ? { overDrift: { runs: observed.drift.image, recorded: observed.drift.expectedImage } } : {};
    await deps.releases.saveStage(release, stage, stepAudit(deps, release, 'deployment.started', environment, { image: release.image, previousImage, ...driftDetail }));
    deps.log.info('deploying', { releaseId, environment, image: release.image, previousImage });

    await deps.cluster.setImage(env.target, release.image);
    if (config) await deps.cluster.applyConfig(env.target, config.effective, config.hash);
    try {
      const status = await deps.cluster.waitForRollout(env.target, deps.rollout);
      const finishedAt = deps.clock().toISOString();
      const finish = finishedDeployment(release, env, { kind, image: release.image, previousImage, startedAt: stage.startedAt, finishedAt, result: 'succeeded', ...applied });
      await deps.releases.saveStage(
        release,
        { ...stage, status: 'succeeded', finishedAt },
        stepAudit(deps, release, 'deployment.succeeded', environment, { image: release.image, replicas: status.replicas }),
        finish,
      );
      publishMetrics(deps.emitMetrics, finish);
      deps.log.info('rolled out', { releaseId, environment, image: release.image, replicas: status.replicas });
      return { environment, ...env.target, image: release.image, previousImage, replicas: status.replicas, rolledOutAt: finishedAt };
    } catch (error) {
      if (error instanceof RolloutFailedError) {
        const finishedAt = deps.clock().toISOString();
        const finish = finishedDeployment(release, env, { kind, image: release.image, previousImage, startedAt: stage.startedAt, finishedAt, result: 'failed', reason: error.message, ...applied });
        await deps.releases.saveStage(
          release,
          { ...stage, status: 'failed', finishedAt, detail: error.message },
          stepAudit(deps, release, 'deployment.failed', environment, { image: release.image, reason: error.message }),
          finish,
        );
        publishMetrics(deps.emitMetrics, finish);
      }
      deps.log.error('deploy step failed', { releaseId, environment, ...errorFields(error) });
      throw error;
    }
  };
}
