import { ApiError } from './status';

/** The three resource types the simulator serves, by their REST plural. */
export type Plural = 'namespaces' | 'deployments' | 'configmaps';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image: string;
  [key: string]: unknown;
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
}

export interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    template: { spec: { containers: Container[] }; [key: string]: unknown };
    [key: string]: unknown;
  };
  status?: DeploymentStatus;
}

export interface ResourceType {
  plural: Plural;
  singular: string;
  kind: string;
  /** '' for the core group. */
  group: '' | 'apps';
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Whether metadata.generation is tracked (bumped on spec changes). */
  hasGeneration: boolean;
}

const RW = ['create', 'get', 'list', 'patch', 'update'];

export const RESOURCES: Record<Plural, ResourceType> = {
  namespaces: { plural: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', namespaced: false, shortNames: ['ns'], verbs: ['create', 'get', 'list'], hasGeneration: false },
  configmaps: { plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', group: '', namespaced: true, shortNames: ['cm'], verbs: RW, hasGeneration: false },
  deployments: { plural: 'deployments', singular: 'deployment', kind: 'Deployment', group: 'apps', namespaced: true, shortNames: ['deploy'], verbs: RW, hasGeneration: true },
};

export const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/v1` : 'v1');

/** `deployments.apps`, `configmaps`: the qualified name Kubernetes uses in error messages. */
export const qualifiedName = (type: ResourceType): string => (type.group ? `${type.plural}.${type.group}` : type.plural);

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** ConfigMap data keys, as Kubernetes validates them. */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the user-supplied parts of an object and fills the defaults the real
 * API server would (replicas = 1, Namespace status). Throws ApiError 422 Invalid.
 */
export function validateAndDefault(type: ResourceType, body: unknown): KubeObject {
  const invalid = (why: string, name = '') =>
    new ApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${why}`, { name, group: type.group, kind: type.kind });
  if (!isRecord(body) || !isRecord(body.metadata)) throw invalid('metadata: Required value');
  const name = body.metadata.name;
  if (typeof name !== 'string' || name.length > 253 || !NAME.test(name)) {
    throw invalid('metadata.name: Invalid value: must be a lowercase RFC 1123 subdomain', String(name ?? ''));
  }
  const object = { ...body, apiVersion: apiVersionOf(type), kind: type.kind } as KubeObject;
  if (type.plural === 'namespaces') {
    object.spec = { finalizers: ['kubernetes'] };
    object.status = { phase: 'Active' };
  }
  if (type.plural === 'configmaps' && body.data !== undefined) {
    if (!isRecord(body.data) || Object.values(body.data).some((v) => typeof v !== 'string')) {
      throw invalid('data: values must be strings', name);
    }
    const badKey = Object.keys(body.data).find((k) => !CONFIG_KEY.test(k) || k.length > 253 || k === '.' || k === '..');
    if (badKey !== undefined) {
      throw invalid(`data[${JSON.stringify(badKey)}]: Invalid value: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`, name);
    }
  }
  if (type.plural === 'deployments') {
    const spec = body.spec;
    const template = isRecord(spec) ? spec.template : undefined;
    const podSpec = isRecord(template) ? template.spec : undefined;
    const containers = isRecord(podSpec) ? podSpec.containers : undefined;
    if (!isRecord(spec) || !Array.isArray(containers) || containers.length === 0) {
      throw invalid('spec.template.spec.containers: Required value', name);
    }
    for (const [i, c] of containers.entries()) {
      if (!isRecord(c) || typeof c.name !== 'string' || !c.name || typeof c.image !== 'string' || !c.image) {
        throw invalid(`spec.template.spec.containers[${i}]: name and image are required`, name);
      }
    }
    const replicas = spec.replicas ?? 1;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('spec.replicas: must be a non-negative integer', name);
    }
    object.spec = { ...spec, replicas };
  }
  return object;
}
