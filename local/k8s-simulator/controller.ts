import { REVISION_ANNOTATION, type ReplicaSetSync, phaseOf } from './replicasets';
import { type Deployment, type DeploymentCondition, type DeploymentStatus, RESOURCES } from './resources';
import { type ObjectStore, timestamp } from './store';

export interface RolloutControllerOptions {
  rolloutDelayMs: number;
  progressDeadlineMs: number;
  /** Whether pods running this image never become ready. */
  isFailing(image: string): boolean;
}

const DEPLOYMENTS = RESOURCES.deployments;
const keyOf = (d: { metadata: { namespace?: string; name: string } }) => `${d.metadata.namespace}/${d.metadata.name}`;

/**
 * Stands in for the Deployment and ReplicaSet controllers. After every spec
 * change it reports the rollout as in progress, then after `rolloutDelayMs`
 * either completes it or, when one of the pod template's images is failing,
 * leaves it stuck (new pods never available) until `progressDeadlineMs` after
 * the change, when Progressing turns False with ProgressDeadlineExceeded.
 *
 * Replica counts are simplified: `unavailableReplicas` counts desired pods that
 * are not yet both updated and available. The ReplicaSets and pods follow each
 * status step (replicasets.ts); the deployment carries the new ReplicaSet's
 * revision annotation, written together with the status.
 */
export class RolloutController {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly replicaSets: ReplicaSetSync,
    private readonly options: RolloutControllerOptions,
  ) {}

  /** Starts (or restarts) the rollout of the deployment's current generation. */
  onSpecChange(deployment: Deployment): void {
    if (this.closed) return;
    const key = keyOf(deployment);
    this.cancel(key);
    const oldAvailable = deployment.status?.availableReplicas ?? 0;
    this.store.batch(() => {
      const rs = this.replicaSets.sync(deployment, 'progressing');
      this.write(deployment, inProgress(deployment, oldAvailable, rs.name), rs.revision);
    });
    const { rolloutDelayMs, progressDeadlineMs } = this.options;
    const timers = [
      setTimeout(() => this.settle(deployment, oldAvailable, false), rolloutDelayMs),
      setTimeout(() => this.settle(deployment, oldAvailable, true), progressDeadlineMs),
    ];
    this.timers.set(key, timers);
  }

  /** Marks the current generation as fully rolled out, at once (for seeded deployments). */
  complete(deployment: Deployment): void {
    this.cancel(keyOf(deployment));
    this.store.batch(() => {
      const rs = this.replicaSets.sync(deployment, 'complete');
      this.write(deployment, completed(deployment, rs.name), rs.revision);
    });
  }

  /**
   * Restarts rollouts that were still in progress when the state was saved,
   * and brings the ReplicaSets and pods of settled ones in line (state files
   * written before the simulator had them hold none).
   */
  resume(): void {
    for (const deployment of this.store.list(DEPLOYMENTS) as Deployment[]) {
      const status = deployment.status ?? {};
      const settled =
        status.observedGeneration === deployment.metadata.generation &&
        (isComplete(deployment) || condition(status, 'Progressing')?.status === 'False');
      if (!settled) this.onSpecChange(deployment);
      else this.resync(deployment);
    }
  }

  /** Brings the pods back in line with the deployment's status (after one was deleted, say). */
  resync(deployment: Deployment): void {
    const rs = this.replicaSets.sync(deployment, phaseOf(deployment));
    if (deployment.metadata.annotations?.[REVISION_ANNOTATION] !== String(rs.revision)) {
      this.store.setStatus(DEPLOYMENTS, deployment.metadata.namespace, deployment.metadata.name, deployment.status, { [REVISION_ANNOTATION]: String(rs.revision) });
    }
  }

  /** Forgets a deleted deployment's pending rollout. */
  forget(deployment: { metadata: { namespace?: string; name: string } }): void {
    this.cancel(keyOf(deployment));
  }

  /** Cancels every pending timer; later spec changes start none. */
  close(): void {
    this.closed = true;
    for (const key of [...this.timers.keys()]) this.cancel(key);
  }

  private cancel(key: string): void {
    for (const timer of this.timers.get(key) ?? []) clearTimeout(timer);
    this.timers.delete(key);
  }

  private settle(started: Deployment, oldAvailable: number, deadline: boolean): void {
    this.store.batch(() => this.settleNow(started, oldAvailable, deadline));
  }

  private settleNow(started: Deployment, oldAvailable: number, deadline: boolean): void {
    const current = this.store.get(DEPLOYMENTS, started.metadata.namespace, started.metadata.name) as Deployment | undefined;
    if (!current || current.metadata.uid !== started.metadata.uid || current.metadata.generation !== started.metadata.generation) return;
    const failing = current.spec.template.spec.containers.some((c) => this.options.isFailing(c.image));
    if (failing) {
      if (deadline) this.cancel(keyOf(current));
      const rs = this.replicaSets.sync(current, 'stuck');
      this.write(current, stuck(current, oldAvailable, deadline, rs.name), rs.revision);
      return;
    }
    // A healthy rollout slower than the deadline still completes at rolloutDelayMs.
    if (deadline && this.options.rolloutDelayMs > this.options.progressDeadlineMs) return;
    this.cancel(keyOf(current));
    const rs = this.replicaSets.sync(current, 'complete');
    this.write(current, completed(current, rs.name), rs.revision);
  }

  private write(deployment: Deployment, status: DeploymentStatus, revision: number): void {
    const previous = deployment.status ?? {};
    for (const c of status.conditions ?? []) {
      const before = condition(previous, c.type);
      if (before?.status === c.status) c.lastTransitionTime = before.lastTransitionTime;
    }
    this.store.setStatus(DEPLOYMENTS, deployment.metadata.namespace, deployment.metadata.name, status, { [REVISION_ANNOTATION]: String(revision) });
  }
}

function condition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

function isComplete(d: Deployment): boolean {
  const s = d.status ?? {};
  const desired = d.spec.replicas;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired
  );
}

function makeCondition(type: string, status: 'True' | 'False', reason: string, message: string): DeploymentCondition {
  const now = timestamp();
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

function availableCondition(available: number, desired: number): DeploymentCondition {
  return available >= desired
    ? makeCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
    : makeCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
}

function counts(d: Deployment, c: Required<Omit<DeploymentStatus, 'conditions' | 'observedGeneration'>>): DeploymentStatus {
  const status: DeploymentStatus = { observedGeneration: d.metadata.generation ?? 1, ...c };
  if (!status.unavailableReplicas) delete status.unavailableReplicas;
  return status;
}

function inProgress(d: Deployment, oldAvailable: number, rs: string): DeploymentStatus {
  const desired = d.spec.replicas;
  return {
    ...counts(d, { replicas: oldAvailable, updatedReplicas: 0, readyReplicas: oldAvailable, availableReplicas: oldAvailable, unavailableReplicas: desired }),
    conditions: [
      availableCondition(oldAvailable, desired),
      makeCondition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`),
    ],
  };
}

function completed(d: Deployment, rs: string): DeploymentStatus {
  const desired = d.spec.replicas;
  return {
    ...counts(d, { replicas: desired, updatedReplicas: desired, readyReplicas: desired, availableReplicas: desired, unavailableReplicas: 0 }),
    conditions: [
      availableCondition(desired, desired),
      makeCondition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`),
    ],
  };
}

function stuck(d: Deployment, oldAvailable: number, deadlineExceeded: boolean, rs: string): DeploymentStatus {
  const desired = d.spec.replicas;
  return {
    ...counts(d, { replicas: oldAvailable + desired, updatedReplicas: desired, readyReplicas: oldAvailable, availableReplicas: oldAvailable, unavailableReplicas: desired }),
    conditions: [
      availableCondition(oldAvailable, desired),
      deadlineExceeded
        ? makeCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs}" has timed out progressing.`)
        : makeCondition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`),
    ],
  };
}
