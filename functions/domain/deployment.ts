import type { DeploymentResult } from './dora';

/** How a deployment came about: a release, a rollback someone asked for, the automatic one after a failed rollout, or a configuration rollout. */
export type DeploymentKind = 'release' | 'rollback' | 'automatic-rollback' | 'config';

/** The kind of deployment a release makes (an automatic rollback is the rollback step's own). */
export const deploymentKindOf = (release: { type?: 'release' | 'rollback' | 'config' }): DeploymentKind => release.type ?? 'release';

/**
 * One finished change of what an environment runs: the deployment history
 * (S9), what rollbacks target (S10) and what the DORA metrics count (S11).
 */
export interface Deployment {
  /** Time-sortable and unique per environment: `<UTC start>-<release id prefix>-<kind>`. */
  id: string;
  app: string;
  environment: string;
  type: DeploymentKind;
  releaseId: string;
  image: string;
  previousImage?: string;
  commit?: string;
  committedAt?: string;
  requestedBy: string;
  approvers: string[];
  /** Who or what changed the cluster: the state machine, on behalf of `requestedBy`. */
  deployedBy: string;
  startedAt: string;
  finishedAt: string;
  result: DeploymentResult;
  reason?: string;
  executionArn: string;
  /** For rollbacks: the deployment whose image was restored. */
  rollbackOf?: string;
  /** The published configuration version applied with it, and its hash. */
  configVersion?: number;
  configHash?: string;
}

const KIND_CODE: Record<DeploymentKind, string> = { release: 'r', rollback: 'b', 'automatic-rollback': 'a', config: 'c' };

export function deploymentId(startedAt: string, releaseId: string, kind: DeploymentKind): string {
  const time = startedAt.replace(/[-:.]/g, '');
  return `${time}-${releaseId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}-${KIND_CODE[kind]}`;
}

export const DEPLOYMENT_ID = /^\d{8}T\d{9}Z-[A-Za-z0-9]{1,8}-[rbac]$/;

/** The last good deployment before the current one: the default rollback target. */
export function lastGoodBefore(newestFirst: Deployment[], currentImage: string | undefined): Deployment | undefined {
  return newestFirst.find((d) => d.result === 'succeeded' && d.image !== currentImage);
}
