import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION, type DeploymentTarget, type RolloutStatus } from '../../domain/cluster';
import { DeploymentNotFoundError } from '../../domain/errors';

/** What Gatekeeper reads from a Deployment object: its managed container, image, config hash and rollout state. */

export const describeTarget = (t: DeploymentTarget) => `${t.namespace}/${t.deployment}`;

export function containerOf(deployment: V1Deployment, target: DeploymentTarget): V1Container {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const container = containers.find((c) => c.name === target.container);
  if (!container) {
    const names = containers.map((c) => c.name).join(', ') || 'none';
    throw new DeploymentNotFoundError(`deployment ${describeTarget(target)} has no container "${target.container}" (containers: ${names})`);
  }
  return container;
}

export const imageOf = (container: V1Container): string => container.image ?? '';

export const hashOf = (deployment: V1Deployment): string | undefined => deployment.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];

export type Verdict = { state: 'done'; status: RolloutStatus } | { state: 'failed'; why: string } | { state: 'waiting'; why: string };

/**
 * The rollout check of `kubectl rollout status`: the new generation must be
 * observed, every desired replica updated and available, no old replica
 * left, none unavailable; Progressing=False means it failed.
 */
export function evaluate(deployment: V1Deployment, image: string): Verdict {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  const desired = deployment.spec?.replicas ?? 1;
  const observedGeneration = status.observedGeneration ?? 0;
  if (observedGeneration < generation) {
    return { state: 'waiting', why: `generation ${generation} not yet observed (observed ${observedGeneration})` };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False') {
    return { state: 'failed', why: `${progressing.reason ?? 'Progressing=False'}: ${progressing.message ?? 'no message'}` };
  }
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const unavailable = status.unavailableReplicas ?? 0;
  if (updated !== desired) return { state: 'waiting', why: `${updated} of ${desired} replicas updated` };
  if (unavailable > 0) return { state: 'waiting', why: `${unavailable} of ${desired} replicas unavailable` };
  if (available !== desired) return { state: 'waiting', why: `${available} of ${desired} replicas available` };
  if (replicas > updated) return { state: 'waiting', why: `${replicas - updated} old replicas pending termination` };
  return { state: 'done', status: { image, replicas, updatedReplicas: updated, availableReplicas: available, observedGeneration } };
}
