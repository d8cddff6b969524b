import { auditEvent, STEP_ACTOR } from '../domain/audit';
import { driftOf, type Drift, type Environment } from '../domain/catalog';
import type { ClusterDirectory, LiveWorkload } from '../domain/cluster';
import type { EnvironmentHealth } from '../domain/ports';
import { DeploymentNotFoundError } from '../domain/errors';
import type { Essentials } from './deps';

export interface DriftDeps extends Essentials {
  clusters: ClusterDirectory;
  health: EnvironmentHealth;
}

/** What "runs" when the environment's Deployment no longer exists. */
export const MISSING_DEPLOYMENT = '(no Deployment)';

export interface Observation {
  live: LiveWorkload;
  /** Set when the cluster runs something else than Gatekeeper recorded. */
  drift?: Drift;
  /** The drift was not recorded: the environment changed since it was read (a deploy started, another pass recorded it). */
  unrecorded?: true;
}

/**
 * Reads what the environment's Deployment runs and compares it with the
 * record. New drift is recorded on the environment with an audit event
 * (`environment.drift_detected`: what runs, what was expected, since when);
 * drift that went away (someone put the recorded version back) is cleared the
 * same way. Called before each deploy, when approval is requested and on each
 * reconciler pass; the caller makes sure no deploy is changing the cluster.
 */
export async function observeEnvironment(deps: DriftDeps, env: Environment, actor = STEP_ACTOR): Promise<Observation> {
  const live = await deps.clusters.gateway(env.target.cluster).readWorkload(env.target).catch((error: unknown) => {
    // The Deployment Gatekeeper recorded is gone: that is drift too, not a fault to retry.
    if (error instanceof DeploymentNotFoundError && env.current) return { image: MISSING_DEPLOYMENT };
    throw error;
  });
  const at = deps.clock().toISOString();
  const found = driftOf(env.current, live, at);
  const subject = `app/${env.app}/env/${env.name}`;
  if (found && sameDrift(found, env.drift)) return { live, drift: env.drift! };
  if (found) {
    const detail = { runs: { image: found.image, configHash: found.configHash }, expected: { image: found.expectedImage, configHash: found.expectedConfigHash }, since: found.since };
    const recorded = await deps.health.recordDrift(env, found, auditEvent(deps, { app: env.app, actor, action: 'environment.drift_detected', subject, at, detail }));
    if (!recorded) return { live, drift: found, unrecorded: true };
    deps.log.warn('drift detected', { app: env.app, environment: env.name, ...detail });
    return { live, drift: found };
  }
  if (env.drift) {
    await deps.health.clearDrift(env, auditEvent(deps, { app: env.app, actor, action: 'environment.drift_cleared', subject, at, detail: { runs: live } }));
    deps.log.info('drift cleared', { app: env.app, environment: env.name, image: live.image });
  }
  return { live };
}

function sameDrift(a: Drift, b: Drift | undefined): boolean {
  return b !== undefined && a.image === b.image && a.configHash === b.configHash && a.expectedImage === b.expectedImage;
}
