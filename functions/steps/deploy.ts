import type { ClusterDirectory, RolloutOptions } from '../domain/cluster';
import type { ConfigStore, DeploymentStore, EnvironmentHealth } from '../domain/ports';
import { DriftDetectedError, FrozenError, InvalidStateError, RolloutFailedError } from '../domain/errors';
import { observeEnvironment } from '../usecases/drift';
import { activeFreeze } from '../domain/freeze';
import type { Stage } from '../domain/release';
import { errorFields } from '../observability/logger';
import { checksFor, recordDeployOutcome } from './deploy-outcome';
import { loadReleaseAndEnvironment, stepAudit, type EnvironmentStepInput, type StepContext } from './context';

export interface DeployStepDeps extends StepContext {
  clusters: ClusterDirectory;
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
 * rollback target instead of its own. With post-deployment checks the rollout
 * is only recorded; the checks decide whether it succeeded.
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
    const recorded = release.stages[environment];
    if (!recorded) throw new InvalidStateError(`release ${releaseId} has no stage in ${environment}`);
    if (recorded.rolledOutAt || recorded.status === 'succeeded') {
      // A retried invocation after the rollout was recorded: report it again, change nothing.
      return { environment, ...env.target, image: release.image, previousImage: recorded.previousImage ?? '', replicas: 0, rolledOutAt: recorded.rolledOutAt ?? recorded.finishedAt ?? recorded.startedAt };
    }
    // A retry after the cluster was first touched keeps what ran before this release as the rollback target.
    const earlier = recorded.deployStartedAt ? recorded : undefined;
    const cluster = deps.clusters.gateway(env.target.cluster);
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
    const live = config && !earlier ? await cluster.readConfig(env.target) : undefined;
    const stage: Stage = {
      ...recorded,
      status: 'running',
      image: release.image,
      previousImage,
      deployStartedAt: earlier?.deployStartedAt ?? deps.clock().toISOString(),
      ...(config ? { configVersion: config.version, configHash: config.hash } : {}),
      ...(live ? { previousConfig: live.config, ...(live.hash ? { previousConfigHash: live.hash } : {}) } : {}),
    };
    const driftDetail = observed?.drift ? { overDrift: { runs: observed.drift.image, recorded: observed.drift.expectedImage } } : {};
    await deps.releases.saveStage(release, stage, stepAudit(deps, release, 'deployment.started', environment, { image: release.image, previousImage, ...driftDetail }));
    deps.log.info('deploying', { releaseId, environment, image: release.image, previousImage });

    await cluster.setImage(env.target, release.image);
    if (config) await cluster.applyConfig(env.target, config.effective, config.hash);
    try {
      const status = await cluster.waitForRollout(env.target, deps.rollout);
      const rolledOutAt = deps.clock().toISOString();
      if (checksFor(env, release, 'post').length > 0) {
        // Not a success until the post-deployment checks verified it (run-checks records the outcome).
        await deps.releases.saveStage(release, { ...stage, rolledOutAt }, stepAudit(deps, release, 'deployment.rolled-out', environment, { image: release.image, replicas: status.replicas }));
      } else {
        await recordDeployOutcome(deps, release, env, { ...stage, rolledOutAt }, 'succeeded');
      }
      deps.log.info('rolled out', { releaseId, environment, image: release.image, replicas: status.replicas });
      return { environment, ...env.target, image: release.image, previousImage, replicas: status.replicas, rolledOutAt };
    } catch (error) {
      if (error instanceof RolloutFailedError) await recordDeployOutcome(deps, release, env, stage, 'failed', error.message);
      deps.log.error('deploy step failed', { releaseId, environment, ...errorFields(error) });
      throw error;
    }
  };
}
