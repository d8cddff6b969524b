import { RolloutController } from './controller';
import { EventRecorder } from './events';
import { JobController } from './jobs';
import { ReplicaSetSync } from './replicasets';
import { type Deployment, type Job, type KubeObject, type ReplicaSet, type ResourceType, RESOURCES } from './resources';
import type { DeletePreconditions, ObjectStore } from './store';

export interface WorkloadOptions {
  rolloutDelayMs: number;
  progressDeadlineMs: number;
  jobDurationMs: number;
  /** Whether pods running this image never become ready. */
  isFailing(image: string): boolean;
}

export interface DeleteOptions {
  /** `Orphan` leaves dependents (minus their owner reference); anything else deletes them at once. */
  propagationPolicy?: string;
  preconditions?: DeletePreconditions;
}

/** Types whose objects carry owner references, in the order garbage collection visits them. */
const DEPENDENT_TYPES = [RESOURCES.replicasets, RESOURCES.pods];

/**
 * The simulated controllers behind the REST handlers: what happens after a
 * user creates, changes or deletes an object (rollouts, jobs, garbage
 * collection of owned ReplicaSets and pods, pods replaced by their ReplicaSet).
 */
export class Workloads {
  readonly events: EventRecorder;
  readonly rollouts: RolloutController;
  readonly jobs: JobController;
  private readonly replicaSets: ReplicaSetSync;

  constructor(
    private readonly store: ObjectStore,
    options: WorkloadOptions,
  ) {
    this.events = new EventRecorder(store);
    this.replicaSets = new ReplicaSetSync(store, this.events);
    this.rollouts = new RolloutController(store, this.replicaSets, options);
    this.jobs = new JobController(store, this.events, { durationMs: options.jobDurationMs });
  }

  /** A user's create (POST): stores the validated object and starts what it sets off. */
  create(type: ResourceType, object: KubeObject): KubeObject {
    if (type.plural === 'jobs') return this.jobs.create(object as Job);
    return this.store.batch(() => {
      const created = this.store.create(type, object);
      if (type.plural === 'deployments') this.rollouts.onSpecChange(created as Deployment);
      return created;
    });
  }

  /** After a user's replace or patch of `stored`. */
  afterWrite(type: ResourceType, stored: KubeObject, specChanged: boolean): void {
    if (type.plural !== 'deployments') return;
    if (specChanged) this.rollouts.onSpecChange(stored as Deployment);
    else this.replicaSets.syncAnnotations(stored as Deployment);
  }

  /** A user's delete: the object goes at once, with its dependents (or orphaning them). */
  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    return this.store.batch(() => {
      const deleted = this.store.delete(type, namespace, name, options.preconditions);
      this.forget(type, deleted);
      this.collectDependents(deleted, options.propagationPolicy === 'Orphan');
      if (type.plural === 'pods') this.replacePod(deleted);
      return deleted;
    });
  }

  resume(): void {
    this.store.batch(() => {
      this.rollouts.resume();
      this.jobs.resume();
    });
  }

  close(): void {
    this.rollouts.close();
    this.jobs.close();
  }

  private forget(type: ResourceType, object: KubeObject): void {
    if (type.plural === 'deployments') this.rollouts.forget(object);
    if (type.plural === 'jobs') this.jobs.forget(object);
  }

  private collectDependents(owner: KubeObject, orphan: boolean): void {
    const uid = owner.metadata.uid;
    for (const type of DEPENDENT_TYPES) {
      for (const dependent of this.store.list(type, owner.metadata.namespace)) {
        const refs = dependent.metadata.ownerReferences ?? [];
        if (!refs.some((ref) => ref.uid === uid)) continue;
        if (orphan) {
          const { ownerReferences: _dropped, ...metadata } = dependent.metadata;
          const rest = refs.filter((ref) => ref.uid !== uid);
          this.store.put(type, { ...dependent, metadata: rest.length ? { ...metadata, ownerReferences: rest } : metadata });
        } else if (this.store.get(type, dependent.metadata.namespace, dependent.metadata.name)) {
          this.store.delete(type, dependent.metadata.namespace, dependent.metadata.name);
          this.collectDependents(dependent, false);
        }
      }
    }
  }

  /** A deleted pod of a Deployment's ReplicaSet is replaced, as the ReplicaSet controller would. */
  private replacePod(pod: KubeObject): void {
    const namespace = pod.metadata.namespace;
    const rsRef = pod.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === 'ReplicaSet');
    const rs = rsRef && (this.store.get(RESOURCES.replicasets, namespace, rsRef.name) as ReplicaSet | undefined);
    const deploymentRef = rs?.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === 'Deployment');
    const deployment = deploymentRef && (this.store.get(RESOURCES.deployments, namespace, deploymentRef.name) as Deployment | undefined);
    if (deployment && deployment.metadata.uid === deploymentRef.uid) this.rollouts.resync(deployment);
  }
}
