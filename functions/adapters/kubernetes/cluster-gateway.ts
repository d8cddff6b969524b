import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import {
  type ClusterGateway,
  configMapNameOf,
  type DeploymentTarget,
  type LiveWorkload,
  type RolloutOptions,
  type RolloutStatus,
  type WorkloadConfig,
} from '../../domain/cluster';
import { DeploymentNotFoundError, RolloutFailedError } from '../../domain/errors';
import { ApiCaller, ApiUnreachableError } from './api-caller';
import { httpStatus } from './api-errors';
import { containerOf, describeTarget, evaluate, hashOf, imageOf } from './deployment';
import type { WorkloadApi } from './workload-api';
import { applyToDeployment, checkEnvClash, managedConfigOf, sameRecord, validateConfig } from './workload-config';

export interface KubernetesClusterGatewayOptions {
  /** The API server's URL, named in ClusterUnreachableError messages (createClusterDirectory takes it from each cluster's configuration). */
  server?: string;
  /** Abort a request that has not been fully answered after this long. Default 10 000. */
  requestTimeoutMs?: number;
  /** Attempts of one request when the API server does not answer, or answers 5xx or 429. Default 3. */
  transportAttempts?: number;
  /** Pause before the first retry of such a request, doubled for each next one, jittered. Default 100. */
  transportRetryDelayMs?: number;
  /** Attempts of read → replace when the API answers 409 Conflict. Default 8. */
  conflictAttempts?: number;
  /** Pause after the first conflict (`min`), doubled after each next one up to `max`, jittered. Default 20–200. */
  conflictBackoffMs?: { min: number; max: number };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for jitter. Default Math.random. */
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * ClusterGateway over the Deployment and ConfigMap calls of a WorkloadApi
 * (restWorkloadApi in every function). Every request goes through an ApiCaller:
 * timeouts, retries and ClusterUnreachableError for an API server that does
 * not answer; 409 Conflict re-read and re-applied, then ConflictError.
 */
export class KubernetesClusterGateway implements ClusterGateway {
  private readonly api: ApiCaller;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly k8s: WorkloadApi,
    options: KubernetesClusterGatewayOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.api = new ApiCaller({
      server: options.server ?? '(unknown server)',
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      transportAttempts: options.transportAttempts ?? 3,
      transportRetryDelayMs: options.transportRetryDelayMs ?? 100,
      conflictAttempts: options.conflictAttempts ?? 8,
      conflictBackoffMs: options.conflictBackoffMs ?? { min: 20, max: 200 },
      sleep: this.sleep,
      random: options.random ?? Math.random,
    });
  }

  async readImage(target: DeploymentTarget): Promise<string> {
    return imageOf(containerOf(await this.read(target), target));
  }

  async readWorkload(target: DeploymentTarget): Promise<LiveWorkload> {
    const deployment = await this.read(target);
    const image = imageOf(containerOf(deployment, target));
    const configHash = hashOf(deployment);
    return configHash === undefined ? { image } : { image, configHash };
  }

  async setImage(target: DeploymentTarget, image: string): Promise<{ previousImage: string }> {
    return this.api.readModifyWrite(`updating deployment ${describeTarget(target)}`, async () => {
      const deployment = await this.read(target);
      const container = containerOf(deployment, target);
      const previousImage = imageOf(container);
      if (previousImage === image) return { result: { previousImage } };
      container.image = image;
      return { result: { previousImage }, write: () => this.replace(target, deployment) };
    });
  }

  async applyConfig(
    target: DeploymentTarget,
    config: WorkloadConfig,
    configHash: string,
  ): Promise<{ previous: WorkloadConfig; previousHash?: string }> {
    validateConfig(config);
    // Fail on a missing deployment or a refused env before writing the ConfigMap.
    checkEnvClash(containerOf(await this.read(target), target), config, target);
    const previousConfigMap: WorkloadConfig = {};
    // The ConfigMap first, so that the pods the new template starts read the new data.
    if (config.configMap !== undefined) {
      const previousData = await this.writeConfigMap(target, config.configMap);
      if (previousData) previousConfigMap.configMap = previousData;
    }
    return this.api.readModifyWrite(`updating deployment ${describeTarget(target)}`, async () => {
      const deployment = await this.read(target);
      const container = containerOf(deployment, target);
      const live = managedConfigOf(deployment, container);
      const previous: WorkloadConfig = { ...previousConfigMap };
      if (config.replicas !== undefined) previous.replicas = live.replicas;
      if (config.env !== undefined) previous.env = live.env;
      if (config.resources !== undefined) previous.resources = live.resources;
      const result = { previous, previousHash: hashOf(deployment) };
      const before = JSON.stringify(deployment.spec);
      applyToDeployment(deployment, container, config, configHash, target);
      if (JSON.stringify(deployment.spec) === before) return { result };
      return { result, write: () => this.replace(target, deployment) };
    });
  }

  async readConfig(target: DeploymentTarget): Promise<{ config: WorkloadConfig; hash?: string }> {
    const deployment = await this.read(target);
    const config = managedConfigOf(deployment, containerOf(deployment, target));
    const configMap = await this.readConfigMap(target);
    if (configMap) config.configMap = { ...configMap.data };
    const hash = hashOf(deployment);
    return hash === undefined ? { config } : { config, hash };
  }

  async waitForRollout(target: DeploymentTarget, options: RolloutOptions): Promise<RolloutStatus> {
    const deadline = this.now() + options.timeoutMs;
    let image = 'unknown image';
    let lastState = 'not read yet';
    // The last poll's failure when the API did not answer: then, at the deadline,
    // nothing is known to have failed, and the error says so.
    let unanswered: ApiUnreachableError | undefined;
    for (;;) {
      try {
        const deployment = await this.read(target);
        unanswered = undefined;
        image = imageOf(containerOf(deployment, target));
        const verdict = evaluate(deployment, image);
        if (verdict.state === 'done') return verdict.status;
        if (verdict.state === 'failed') {
          throw new RolloutFailedError(`rollout of ${describeTarget(target)} to ${image} failed: ${verdict.why}`);
        }
        lastState = verdict.why;
      } catch (error) {
        if (!(error instanceof ApiUnreachableError)) throw error;
        unanswered = error;
      }
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        const waited = `${options.timeoutMs / 1000}s`;
        if (unanswered) {
          const context = ` while waiting for the rollout of ${describeTarget(target)} to ${image}; gave up after ${waited}`;
          throw new ApiUnreachableError(unanswered.server, unanswered.reason, context, { cause: unanswered });
        }
        throw new RolloutFailedError(`rollout of ${describeTarget(target)} to ${image} did not complete: timed out after ${waited} (${lastState})`);
      }
      await this.sleep(Math.min(options.pollIntervalMs, remaining));
    }
  }

  private read(target: DeploymentTarget): Promise<V1Deployment> {
    const { deployment: name, namespace } = target;
    return this.deploymentRequest(target, 'reading', (signal) => this.k8s.readDeployment(namespace, name, signal));
  }

  private replace(target: DeploymentTarget, body: V1Deployment): Promise<V1Deployment> {
    const { deployment: name, namespace } = target;
    return this.deploymentRequest(target, 'updating', (signal) => this.k8s.replaceDeployment(namespace, name, body, signal));
  }

  private async deploymentRequest<T>(target: DeploymentTarget, verb: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.api.request(`${verb} deployment ${describeTarget(target)}`, send);
    } catch (error) {
      if (httpStatus(error) === 404) throw new DeploymentNotFoundError(`deployment ${describeTarget(target)} not found`, { cause: error });
      throw error;
    }
  }

  /** The configuration ConfigMap, or undefined when it does not exist. */
  private async readConfigMap(target: DeploymentTarget): Promise<V1ConfigMap | undefined> {
    const name = configMapNameOf(target);
    const { namespace } = target;
    try {
      return await this.api.request(`reading configmap ${namespace}/${name}`, (signal) => this.k8s.readConfigMap(namespace, name, signal));
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates or replaces the ConfigMap's data; returns the data it replaced (undefined when it created it). */
  private writeConfigMap(target: DeploymentTarget, data: Record<string, string>): Promise<Record<string, string> | undefined> {
    const name = configMapNameOf(target);
    const { namespace } = target;
    const doing = `updating configmap ${namespace}/${name}`;
    // A 409 here is AlreadyExists (created meanwhile) or Conflict (stale resourceVersion): either way, read again.
    return this.api.readModifyWrite<Record<string, string> | undefined>(doing, async () => {
      const existing = await this.readConfigMap(target);
      if (!existing) {
        const body: V1ConfigMap = { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'gatekeeper' } }, data: { ...data } };
        const create = () => this.api.request(`creating configmap ${namespace}/${name}`, (signal) => this.k8s.createConfigMap(namespace, body, signal));
        return { result: undefined, write: create };
      }
      const previous = { ...existing.data };
      if (sameRecord(previous, data)) return { result: previous };
      existing.data = { ...data };
      const replace = () => this.api.request(doing, (signal) => this.k8s.replaceConfigMap(namespace, name, existing, signal));
      return { result: previous, write: replace };
    });
  }
}
