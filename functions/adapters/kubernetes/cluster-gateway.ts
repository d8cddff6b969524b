import type { AppsV1Api, V1Container, V1Deployment } from '@kubernetes/client-node';
import type { ClusterGateway, DeploymentTarget, RolloutOptions, RolloutStatus } from '../../domain/cluster';
import { DeploymentNotFoundError, RolloutFailedError } from '../../domain/errors';

export interface KubernetesClusterGatewayOptions {
  /** Attempts of read → replace when the API answers 409 Conflict. Default 5. */
  conflictAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const describe = (t: DeploymentTarget) => `${t.namespace}/${t.deployment}`;

/** The HTTP status of a failed API call (ApiException.code), if it has one. */
function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Network errors, 429 and 5xx: worth another poll. */
function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status === 429 || status >= 500;
}

type Verdict = { state: 'done'; status: RolloutStatus } | { state: 'failed'; why: string } | { state: 'waiting'; why: string };

/**
 * ClusterGateway over @kubernetes/client-node's AppsV1Api. The rollout check
 * follows `kubectl rollout status`: the new generation must be observed, every
 * desired replica updated and available, no old replica left, none unavailable.
 */
export class KubernetesClusterGateway implements ClusterGateway {
  private readonly conflictAttempts: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly apps: AppsV1Api,
    options: KubernetesClusterGatewayOptions = {},
  ) {
    this.conflictAttempts = options.conflictAttempts ?? 5;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  async readImage(target: DeploymentTarget): Promise<string> {
    return imageOf(containerOf(await this.read(target), target));
  }

  async setImage(target: DeploymentTarget, image: string): Promise<{ previousImage: string }> {
    for (let attempt = 1; ; attempt += 1) {
      const deployment = await this.read(target);
      const container = containerOf(deployment, target);
      const previousImage = imageOf(container);
      if (previousImage === image) return { previousImage };
      container.image = image;
      try {
        await this.apps.replaceNamespacedDeployment({ name: target.deployment, namespace: target.namespace, body: deployment });
        return { previousImage };
      } catch (error) {
        if (httpStatus(error) === 409 && attempt < this.conflictAttempts) continue;
        throw this.translate(error, target);
      }
    }
  }

  async waitForRollout(target: DeploymentTarget, options: RolloutOptions): Promise<RolloutStatus> {
    const deadline = this.now() + options.timeoutMs;
    let image = 'unknown image';
    let lastState: string;
    for (;;) {
      try {
        const deployment = await this.read(target);
        image = imageOf(containerOf(deployment, target));
        const verdict = evaluate(deployment, image);
        if (verdict.state === 'done') return verdict.status;
        if (verdict.state === 'failed') {
          throw new RolloutFailedError(`rollout of ${describe(target)} to ${image} failed: ${verdict.why}`);
        }
        lastState = verdict.why;
      } catch (error) {
        if (error instanceof RolloutFailedError || error instanceof DeploymentNotFoundError || !isTransient(error)) throw error;
        lastState = `last API error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      }
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        throw new RolloutFailedError(
          `rollout of ${describe(target)} to ${image} did not complete: timed out after ${options.timeoutMs / 1000}s (${lastState})`,
        );
      }
      await this.sleep(Math.min(options.pollIntervalMs, remaining));
    }
  }

  private async read(target: DeploymentTarget): Promise<V1Deployment> {
    try {
      return await this.apps.readNamespacedDeployment({ name: target.deployment, namespace: target.namespace });
    } catch (error) {
      throw this.translate(error, target);
    }
  }

  private translate(error: unknown, target: DeploymentTarget): unknown {
    if (httpStatus(error) === 404) {
      return new DeploymentNotFoundError(`deployment ${describe(target)} not found`, { cause: error });
    }
    return error;
  }
}

function containerOf(deployment: V1Deployment, target: DeploymentTarget): V1Container {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const container = containers.find((c) => c.name === target.container);
  if (!container) {
    const names = containers.map((c) => c.name).join(', ') || 'none';
    throw new DeploymentNotFoundError(`deployment ${describe(target)} has no container "${target.container}" (containers: ${names})`);
  }
  return container;
}

const imageOf = (container: V1Container): string => container.image ?? '';

function evaluate(deployment: V1Deployment, image: string): Verdict {
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
