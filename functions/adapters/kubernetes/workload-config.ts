import type { V1Container, V1Deployment, V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION, type ComputeResources, type DeploymentTarget, type WorkloadConfig } from '../../domain/cluster';
import { ValidationError } from '../../domain/errors';
import { describeTarget } from './deployment';

/**
 * The part of a Deployment a WorkloadConfig manages: replicas, the managed
 * container's plain and secretKeyRef env vars, its cpu/memory resources and the
 * pod template's config-hash annotation. Reading it out, checking a config and
 * writing one into a Deployment object (the gateway sends it).
 */

const MANAGED_RESOURCES = ['cpu', 'memory'] as const;
const RESOURCE_KINDS = ['requests', 'limits'] as const;

export function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
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

export function managedConfigOf(deployment: V1Deployment, container: V1Container): WorkloadConfig {
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
export function checkEnvClash(container: V1Container, config: WorkloadConfig, target: DeploymentTarget): void {
  if (config.env === undefined) return;
  const clash = (container.env ?? []).find((v) => !isManagedEnv(v) && Object.hasOwn(config.env!, v.name));
  if (clash) {
    throw new ValidationError(
      `env var ${clash.name} of ${describeTarget(target)} container ${target.container} is set from a source Gatekeeper does not manage; remove it from the configuration or from the Deployment`,
    );
  }
}

export function applyToDeployment(deployment: V1Deployment, container: V1Container, config: WorkloadConfig, hash: string, target: DeploymentTarget): void {
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

export function validateConfig(config: WorkloadConfig): void {
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
