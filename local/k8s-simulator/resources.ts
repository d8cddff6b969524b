/** The resource types the simulator serves, by their REST plural. */
export type Plural = 'namespaces' | 'configmaps' | 'secrets' | 'pods' | 'events' | 'deployments' | 'replicasets' | 'jobs';

/** API groups served; '' is the core group. */
export type Group = '' | 'apps' | 'batch';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
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
  command?: string[];
  args?: string[];
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  spec: { containers: Container[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
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
    selector?: LabelSelector;
    template: PodTemplate;
    revisionHistoryLimit?: number;
    [key: string]: unknown;
  };
  status?: DeploymentStatus;
}

export interface ReplicaSet extends KubeObject {
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate; [key: string]: unknown };
  status?: { replicas: number; fullyLabeledReplicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: {
    running?: { startedAt: string };
    waiting?: { reason: string; message?: string };
    terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID?: string };
  };
}

export interface PodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  conditions?: { type: string; status: 'True' | 'False'; reason?: string; lastProbeTime: null; lastTransitionTime: string }[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: { containers: Container[]; nodeName?: string; [key: string]: unknown };
  status?: PodStatus;
}

export interface JobCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}

export interface Job extends KubeObject {
  spec: {
    template: PodTemplate;
    selector?: LabelSelector;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    [key: string]: unknown;
  };
  status?: {
    startTime?: string;
    completionTime?: string;
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    conditions?: JobCondition[];
    [key: string]: unknown;
  };
}

export interface ResourceType {
  plural: Plural;
  singular: string;
  kind: string;
  group: Group;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Whether metadata.generation is tracked (bumped on spec changes) and user writes keep the stored status. */
  hasGeneration: boolean;
  /** Whether objects of this type go to the state file; events are ephemeral. */
  persisted: boolean;
  /** `kubectl get all` lists the types in the `all` category. */
  categories?: string[];
}

const READ = ['get', 'list', 'watch'];
const RW = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: Record<Plural, ResourceType> = {
  namespaces: { plural: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', namespaced: false, shortNames: ['ns'], verbs: ['create', ...READ], hasGeneration: false, persisted: true },
  configmaps: { plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', group: '', namespaced: true, shortNames: ['cm'], verbs: RW, hasGeneration: false, persisted: true },
  secrets: { plural: 'secrets', singular: 'secret', kind: 'Secret', group: '', namespaced: true, shortNames: [], verbs: RW, hasGeneration: false, persisted: true },
  pods: { plural: 'pods', singular: 'pod', kind: 'Pod', group: '', namespaced: true, shortNames: ['po'], verbs: ['delete', ...READ], hasGeneration: false, persisted: true, categories: ['all'] },
  events: { plural: 'events', singular: 'event', kind: 'Event', group: '', namespaced: true, shortNames: ['ev'], verbs: READ, hasGeneration: false, persisted: false },
  deployments: { plural: 'deployments', singular: 'deployment', kind: 'Deployment', group: 'apps', namespaced: true, shortNames: ['deploy'], verbs: RW, hasGeneration: true, persisted: true, categories: ['all'] },
  replicasets: { plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', group: 'apps', namespaced: true, shortNames: ['rs'], verbs: READ, hasGeneration: true, persisted: true, categories: ['all'] },
  jobs: { plural: 'jobs', singular: 'job', kind: 'Job', group: 'batch', namespaced: true, shortNames: [], verbs: RW, hasGeneration: true, persisted: true, categories: ['all'] },
};

export const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/v1` : 'v1');

/** `deployments.apps`, `configmaps`: the qualified name Kubernetes uses in error messages. */
export const qualifiedName = (type: ResourceType): string => (type.group ? `${type.plural}.${type.group}` : type.plural);

/** The type served at `plural` in `group`, if any. */
export function resourceType(group: string, plural: string): ResourceType | undefined {
  const type = (RESOURCES as Record<string, ResourceType | undefined>)[plural];
  return type && type.group === group ? type : undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The controller owner reference pointing at `owner`. */
export function controllerRef(owner: KubeObject): OwnerReference {
  const { name, uid } = owner.metadata;
  return { apiVersion: owner.apiVersion, kind: owner.kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export const isControlledBy = (object: KubeObject, owner: KubeObject): boolean =>
  (object.metadata.ownerReferences ?? []).some((ref) => ref.controller && ref.uid === owner.metadata.uid);

/** Metadata for an object about to be created: the store assigns uid, resourceVersion and creationTimestamp. */
export function unsavedMeta(meta: { name: string; namespace?: string; [key: string]: unknown }): ObjectMeta {
  return { ...meta, uid: '', resourceVersion: '', creationTimestamp: '' };
}
