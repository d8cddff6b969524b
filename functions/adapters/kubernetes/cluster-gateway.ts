import type { AppsV1Api, CoreV1Api, V1ConfigMap, V1Container, V1Deployment, V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  CONFIG_HASH_ANNOTATION,
  type ClusterGateway,
  type ComputeResources,
  configMapNameOf,
  type DeploymentTarget,
  type RolloutOptions,
  type RolloutStatus,
  type WorkloadConfig,
} from '../../domain/cluster';
import { DeploymentNotFoundError, RolloutFailedError, ValidationError } from '../../domain/errors';

export interface KubernetesClusterGatewayOptions {
  /** For the configuration's ConfigMap (applyConfig, readConfig); the image methods need only AppsV1Api. */
  core?: CoreV1Api;
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
  private readonly core?: CoreV1Api;

  constructor(
    private readonly apps: AppsV1Api,
    options: KubernetesClusterGatewayOptions = {},
  ) {
    this.conflictAttempts = options.conflictAttempts ?? 5;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.core = options.core;
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

  async applyConfig(
    target: DeploymentTarget,
    config: WorkloadConfig,
    configHash: string,
  ): Promise<{ previous: WorkloadConfig; previousHash?: string }> {
    validateConfig(config);
    // Fail on a missing deployment or a refused env before writing the ConfigMap.
    checkEnvClash(containerOf(await this.read(target), target), config, target);
    const previous: WorkloadConfig = {};
    // The ConfigMap first, so that the pods the new template starts read the new data.
    if (config.configMap !== undefined) {
      const previousData = await this.writeConfigMap(target, config.configMap);
      if (previousData) previous.configMap = previousData;
    }
    for (let attempt = 1; ; attempt += 1) {
      const deployment = await this.read(target);
      const container = containerOf(deployment, target);
      const live = managedConfigOf(deployment, container);
      const previousHash = hashOf(deployment);
      if (config.replicas !== undefined) previous.replicas = live.replicas;
      if (config.env !== undefined) previous.env = live.env;
      if (config.resources !== undefined) previous.resources = live.resources;
      const before = JSON.stringify(deployment.spec);
      applyToDeployment(deployment, container, config, configHash, target);
      if (JSON.stringify(deployment.spec) === before) return { previous, previousHash };
      try {
        await this.apps.replaceNamespacedDeployment({ name: target.deployment, namespace: target.namespace, body: deployment });
        return { previous, previousHash };
      } catch (error) {
        if (httpStatus(error) === 409 && attempt < this.conflictAttempts) continue;
        throw this.translate(error, target);
      }
    }
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

  private coreApi(): CoreV1Api {
    if (!this.core) throw new Error('KubernetesClusterGateway: a CoreV1Api (options.core) is needed for the configuration ConfigMap');
    return this.core;
  }

  /** The configuration ConfigMap, or undefined when it does not exist. */
  private async readConfigMap(target: DeploymentTarget): Promise<V1ConfigMap | undefined> {
    try {
      return await this.coreApi().readNamespacedConfigMap({ name: configMapNameOf(target), namespace: target.namespace });
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates or replaces the ConfigMap's data; returns the data it replaced (undefined when it created it). */
  private async writeConfigMap(target: DeploymentTarget, data: Record<string, string>): Promise<Record<string, string> | undefined> {
    const name = configMapNameOf(target);
    const { namespace } = target;
    for (let attempt = 1; ; attempt += 1) {
      const existing = await this.readConfigMap(target);
      try {
        if (!existing) {
          const body: V1ConfigMap = { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'gatekeeper' } }, data: { ...data } };
          await this.coreApi().createNamespacedConfigMap({ namespace, body });
          return undefined;
        }
        const previous = { ...existing.data };
        if (sameRecord(previous, data)) return previous;
        existing.data = { ...data };
        await this.coreApi().replaceNamespacedConfigMap({ name, namespace, body: existing });
        return previous;
      } catch (error) {
        // 409: AlreadyExists (created meanwhile) or Conflict (stale resourceVersion): read again.
        if (httpStatus(error) === 409 && attempt < this.conflictAttempts) continue;
        throw error;
      }
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

const MANAGED_RESOURCES = ['cpu', 'memory'] as const;
const RESOURCE_KINDS = ['requests', 'limits'] as const;

const hashOf = (deployment: V1Deployment): string | undefined => deployment.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** A plain value, or a required secretKeyRef and nothing else: the env vars a WorkloadConfig can express. */
function isManagedEnv(variable: V1EnvVar): boolean {
  const source = variable.valueFrom;
  if (!source) return true;
  const kinds = Object.entries(source).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
  const ref = source.secretKeyRef;
  return kinds.length === 1 && kinds[0] === 'secretKeyRef' && !!ref?.name && !!ref.key && !ref.optional;
}

function managedConfigOf(deployment: V1Deployment, container: V1Container): WorkloadConfig {
  const env: NonNullable<WorkloadConfig['env']> = {};
  for (const variable of container.env ?? []) {
    if (!isManagedEnv(variable)) continue;
    const ref = variable.valueFrom?.secretKeyRef;
    env[variable.name] = ref ? { secretRef: { name: ref.name!, key: ref.key } } : (variable.value ?? '');
  }
  const resources: NonNullable<WorkloadConfig['resources']> = {};
  for (const kind of RESOURCE_KINDS) {
    const quantities: ComputeResources = {};
    for (const name of MANAGED_RESOURCES) {
      const quantity = container.resources?.[kind]?.[name];
      if (quantity !== undefined) quantities[name] = String(quantity);
    }
    if (Object.keys(quantities).length > 0) resources[kind] = quantities;
  }
  return { replicas: deployment.spec?.replicas ?? 1, env, resources };
}

/** A config env var may not take over one the container sets from a source a WorkloadConfig cannot express (rollback could not restore it). */
function checkEnvClash(container: V1Container, config: WorkloadConfig, target: DeploymentTarget): void {
  if (config.env === undefined) return;
  const clash = (container.env ?? []).find((v) => !isManagedEnv(v) && Object.hasOwn(config.env!, v.name));
  if (clash) {
    throw new ValidationError(
      `env var ${clash.name} of ${describe(target)} container ${target.container} is set from a source Gatekeeper does not manage; remove it from the configuration or from the Deployment`,
    );
  }
}

function applyToDeployment(deployment: V1Deployment, container: V1Container, config: WorkloadConfig, hash: string, target: DeploymentTarget): void {
  const spec = deployment.spec!;
  if (config.replicas !== undefined) spec.replicas = config.replicas;
  if (config.env !== undefined) {
    checkEnvClash(container, config, target);
    const kept = (container.env ?? []).filter((v) => !isManagedEnv(v));
    const managed: V1EnvVar[] = Object.entries(config.env).map(([name, value]) =>
      typeof value === 'string' ? { name, value } : { name, valueFrom: { secretKeyRef: { name: value.secretRef.name, key: value.secretRef.key } } },
    );
    const env = [...kept, ...managed];
    if (env.length > 0 || container.env !== undefined) container.env = env;
  }
  if (config.resources !== undefined) container.resources = withResources(container.resources, config.resources);
  const metadata = spec.template.metadata;
  if (hash) {
    spec.template.metadata = { ...metadata, annotations: { ...metadata?.annotations, [CONFIG_HASH_ANNOTATION]: hash } };
  } else if (metadata?.annotations && CONFIG_HASH_ANNOTATION in metadata.annotations) {
    delete metadata.annotations[CONFIG_HASH_ANNOTATION];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
}

/** cpu/memory exactly as wanted; other resource names and claims kept. */
function withResources(current: V1ResourceRequirements | undefined, wanted: NonNullable<WorkloadConfig['resources']>): V1ResourceRequirements | undefined {
  const result: V1ResourceRequirements = { ...current };
  for (const kind of RESOURCE_KINDS) {
    const quantities: Record<string, string> = { ...current?.[kind] };
    for (const name of MANAGED_RESOURCES) {
      const quantity = wanted[kind]?.[name];
      if (quantity === undefined) delete quantities[name];
      else quantities[name] = quantity;
    }
    if (Object.keys(quantities).length > 0) result[kind] = quantities;
    else delete result[kind];
  }
  return current === undefined && Object.keys(result).length === 0 ? undefined : result;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function validateConfig(config: WorkloadConfig): void {
  const fail = (why: string) => {
    throw new ValidationError(`invalid workload configuration: ${why}`);
  };
  if (config.replicas !== undefined && (!Number.isInteger(config.replicas) || config.replicas < 0)) fail('replicas must be a non-negative integer');
  for (const [name, value] of Object.entries(config.env ?? {})) {
    if (!ENV_NAME.test(name)) fail(`env var name ${JSON.stringify(name)} is not valid`);
    if (typeof value === 'string') continue;
    const ref = (value as { secretRef?: { name?: unknown; key?: unknown } } | null)?.secretRef;
    if (typeof ref?.name !== 'string' || !ref.name || typeof ref.key !== 'string' || !ref.key) {
      fail(`env var ${name} must be a string or { secretRef: { name, key } }`);
    }
  }
  for (const kind of RESOURCE_KINDS) {
    for (const [name, quantity] of Object.entries(config.resources?.[kind] ?? {})) {
      if (!(MANAGED_RESOURCES as readonly string[]).includes(name)) fail(`resources.${kind}.${name}: only cpu and memory are managed`);
      if (typeof quantity !== 'string' || !quantity) fail(`resources.${kind}.${name} must be a quantity string`);
    }
  }
  for (const [key, value] of Object.entries(config.configMap ?? {})) {
    if (typeof value !== 'string') fail(`configMap.${key} must be a string`);
  }
}
