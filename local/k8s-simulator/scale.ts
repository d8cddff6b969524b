import type { Deployment, KubeObject } from './resources';
import { isRecord } from './resources';
import { selectorString } from './selectors';
import { ApiError } from './status';

/**
 * The `deployments/{name}/scale` subresource as an autoscaling/v1 Scale, the
 * object `kubectl scale` (and HPAs) read and write.
 */
export function scaleOf(d: Deployment): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = d.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: d.spec.replicas },
    status: { replicas: d.status?.replicas ?? 0, selector: selectorString(d.spec.selector) },
  };
}

/** The replica count a written Scale asks for; 422 unless a non-negative integer. */
export function replicasOf(scale: unknown, name: string): number {
  const replicas = isRecord(scale) && isRecord(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0`, {
      name,
      group: 'autoscaling',
      kind: 'Scale',
    });
  }
  return replicas;
}
