import type { Environment } from '../domain/catalog';
import { deploymentId, type Deployment, type DeploymentKind } from '../domain/deployment';
import { bucketIncrement, type DeploymentResult } from '../domain/dora';
import type { DeploymentFinish } from '../domain/ports';
import type { Release } from '../domain/release';
import { deploymentFinishedMetrics, emfRecord } from '../observability/emf';
import { STEP_ACTOR } from './context';

export interface FinishedChange {
  kind: DeploymentKind;
  image: string;
  previousImage?: string;
  startedAt: string;
  finishedAt: string;
  result: DeploymentResult;
  reason?: string;
  /** The failed deployment an automatic rollback undid. */
  rolledBackId?: string;
  configVersion?: number;
  configHash?: string;
  /**
   * Who shipped what this change restores: a rollback records the commit,
   * approvers and configuration of the deployment it brings back, not those of
   * the release that failed.
   */
  provenance?: Pick<Deployment, 'commit' | 'approvers' | 'configVersion' | 'configHash'>;
}

/**
 * The history record (and metrics increment) of a finished change to an
 * environment. Written in the same transaction as the release's stage, so
 * history, metrics and the release view never disagree.
 */
export function finishedDeployment(release: Release, env: Environment, change: FinishedChange): DeploymentFinish {
  const stage = release.stages[env.name];
  const deployment: Deployment = {
    id: deploymentId(change.startedAt, release.id, change.kind),
    app: release.app,
    environment: env.name,
    type: change.kind,
    releaseId: release.id,
    image: change.image,
    requestedBy: release.requestedBy,
    approvers: change.provenance ? change.provenance.approvers : (stage?.approvedBy ?? release.approvedBy ?? []),
    deployedBy: STEP_ACTOR,
    startedAt: change.startedAt,
    finishedAt: change.finishedAt,
    result: change.result,
    executionArn: stage?.executionArn ?? '',
    ...(change.previousImage ? { previousImage: change.previousImage } : {}),
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.configVersion ? { configVersion: change.configVersion, configHash: change.configHash } : {}),
    ...(!change.provenance && release.commit ? { commit: release.commit } : {}),
    ...(change.provenance?.commit ? { commit: change.provenance.commit } : {}),
    ...(change.provenance?.configVersion ? { configVersion: change.provenance.configVersion, configHash: change.provenance.configHash } : {}),
    ...(release.committedAt ? { committedAt: release.committedAt } : {}),
    ...(release.rollbackOf ? { rollbackOf: release.rollbackOf.deploymentId } : {}),
  };
  // Lead time measures commits reaching the environment: only releases carry one.
  const committedAt = change.kind === 'release' ? release.committedAt : undefined;
  const { day, increment, failingSince } = bucketIncrement(
    { app: release.app, environment: env.name, releaseId: release.id, result: change.result, startedAt: change.startedAt, finishedAt: change.finishedAt, ...(committedAt ? { committedAt } : {}) },
    env.failingSince,
  );
  return { deployment, day, increment, previousFailingSince: env.failingSince, failingSince, ...(change.rolledBackId ? { rolledBackId: change.rolledBackId } : {}) };
}

/** In Lambda, the finished deployment also goes to CloudWatch as Embedded Metric Format (one log line). */
export function publishMetrics(emit: ((line: string) => void) | undefined, { deployment, increment }: DeploymentFinish): void {
  if (!emit) return;
  // Metrics are a side channel: a name CloudWatch refuses must never fail the deployment step.
  try {
    emit(emfRecord(deploymentFinishedMetrics(
    { app: deployment.app, environment: deployment.environment, releaseId: deployment.releaseId, result: deployment.result, startedAt: deployment.startedAt, finishedAt: deployment.finishedAt },
      increment.leadTimeSeconds[0],
      increment.restoreSeconds[0],
    )));
  } catch {
    // the deployment and its buckets are recorded; only the CloudWatch copy is lost
  }
}
