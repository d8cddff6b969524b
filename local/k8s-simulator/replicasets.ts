import type { EventRecorder } from './events';
import { templateHash } from './names';
import { isReady, lifecycleEvents, newPod, type PodState, podState, withState } from './pods';
import { type Deployment, type KubeObject, type Pod, type ReplicaSet, RESOURCES, controllerRef, isControlledBy, unsavedMeta } from './resources';
import type { ObjectStore } from './store';

/**
 * Stands in for the ReplicaSet side of the Deployment controller and for the
 * ReplicaSet controller: keeps a Deployment's ReplicaSets (one per pod
 * template, `<deployment>-<pod-template-hash>`, with revision annotations) and
 * their pods in line with the rollout state that controller.ts reports.
 */

/** Where a rollout is: just started, every new pod available, or stuck on pods that never become ready. */
export type RolloutPhase = 'progressing' | 'complete' | 'stuck';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const HASH_LABEL = 'pod-template-hash';
/** Deployment annotations the controller does not copy to its ReplicaSets. */
const NOT_COPIED = new Set([REVISION_ANNOTATION, 'kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas']);

const RS = RESOURCES.replicasets;
const PODS = RESOURCES.pods;

export const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;

/** The phase a Deployment's status shows, to bring its pods back in line after a restart or a deleted pod. */
export function phaseOf(d: Deployment): RolloutPhase {
  const s = d.status ?? {};
  const desired = d.spec.replicas;
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) return 'progressing';
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.status === 'False')) return 'stuck';
  if ((s.updatedReplicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired && (s.replicas ?? 0) === desired) return 'complete';
  return (s.updatedReplicas ?? 0) === desired && desired > 0 ? 'stuck' : 'progressing';
}

export class ReplicaSetSync {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
  ) {}

  /** The name of the ReplicaSet for the deployment's current pod template. */
  static newReplicaSetName(d: Deployment): string {
    return `${d.metadata.name}-${templateHash(d.spec.template)}`;
  }

  /** Brings the ReplicaSets and pods in line with `phase`; returns the new ReplicaSet's name and revision. */
  sync(d: Deployment, phase: RolloutPhase): { name: string; revision: number } {
    return this.store.batch(() => {
      const owned = this.owned(d);
      const hash = templateHash(d.spec.template);
      const maxRevision = Math.max(0, ...owned.map(revisionOf));
      let newRs = owned.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
      // A template seen before (a rollback) reuses its ReplicaSet, which becomes the newest revision.
      const revision = newRs && (revisionOf(newRs) === maxRevision || owned.length === 1) ? revisionOf(newRs) || 1 : maxRevision + 1;
      if (!newRs) newRs = this.store.create(RS, replicaSetManifest(d, hash, revision)) as ReplicaSet;
      for (const rs of owned) {
        if (rs.metadata.uid === newRs.metadata.uid) continue;
        const kept = this.reconcilePods(rs, phase === 'complete' ? { keep: 'none' } : { keep: 'ready' });
        this.scale(d, rs, kept);
      }
      const desired = d.spec.replicas;
      if (phase === 'progressing') this.reconcilePods(newRs, { keep: 'all' });
      else this.reconcilePods(newRs, { count: desired, state: phase === 'complete' ? 'running' : 'waiting' });
      this.scale(d, newRs, desired, { revision, annotations: copiedAnnotations(d) });
      if (phase === 'complete') this.cleanUp(d);
      return { name: newRs.metadata.name, revision };
    });
  }

  /** Copies the deployment's annotations (e.g. kubernetes.io/change-cause) to its current ReplicaSet. */
  syncAnnotations(d: Deployment): void {
    const hash = templateHash(d.spec.template);
    const rs = this.owned(d).find((r) => r.metadata.labels?.[HASH_LABEL] === hash);
    if (rs) this.store.put(RS, { ...rs, metadata: { ...rs.metadata, annotations: { ...keptAnnotations(rs), ...copiedAnnotations(d) } } });
  }

  private owned(d: Deployment): ReplicaSet[] {
    return (this.store.list(RS, d.metadata.namespace) as ReplicaSet[]).filter((rs) => isControlledBy(rs, d));
  }

  private podsOf(rs: KubeObject): Pod[] {
    return (this.store.list(PODS, rs.metadata.namespace) as Pod[])
      .filter((p) => isControlledBy(p, rs))
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
  }

  /**
   * `keep: 'all'` leaves the pods alone; `'ready'` deletes the ones not ready;
   * `'none'` deletes all; `count` makes exactly that many, ready ones kept and
   * the others put in `state`. Returns the number of pods left.
   */
  private reconcilePods(rs: ReplicaSet, want: { keep: 'all' | 'ready' | 'none' } | { count: number; state: PodState }): number {
    const pods = this.podsOf(rs);
    if ('keep' in want) {
      const doomed = want.keep === 'all' ? [] : want.keep === 'none' ? pods : pods.filter((p) => !isReady(p));
      for (const pod of doomed) this.deletePod(rs, pod);
      this.writeStatus(rs);
      return pods.length - doomed.length;
    }
    // Surplus pods go not-ready first, newest first, as the ReplicaSet controller picks them.
    const byPreference = [...pods].sort((a, b) => Number(isReady(b)) - Number(isReady(a)));
    for (const pod of byPreference.slice(want.count)) this.deletePod(rs, pod);
    for (const pod of byPreference.slice(0, want.count)) {
      const state = podState(pod);
      if (state === want.state || (state === 'running' && want.state === 'waiting')) continue;
      const updated = this.store.put(PODS, withState(pod, want.state)) as Pod | undefined;
      if (updated) this.recordAll(updated, lifecycleEvents(updated, want.state, true));
    }
    for (let i = pods.length; i < want.count; i += 1) {
      const pod = this.store.create(PODS, withState(newPod(rs, rs.metadata.name, rs.spec.template, {}), want.state)) as Pod;
      this.events.record(rs, { reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, component: 'replicaset-controller' });
      this.recordAll(pod, lifecycleEvents(pod, want.state));
    }
    this.writeStatus(rs);
    return want.count;
  }

  private deletePod(rs: ReplicaSet, pod: Pod): void {
    this.store.delete(PODS, pod.metadata.namespace, pod.metadata.name);
    this.events.record(rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name}`, component: 'replicaset-controller' });
  }

  private recordAll(object: KubeObject, events: ReturnType<typeof lifecycleEvents>): void {
    for (const event of events) this.events.record(object, event);
  }

  /** Sets the ReplicaSet's replicas (reporting the scaling on the deployment) and, for the new one, its revision and annotations. */
  private scale(d: Deployment, rs: ReplicaSet, replicas: number, update?: { revision: number; annotations: Record<string, string> }): void {
    const current = this.store.get(RS, rs.metadata.namespace, rs.metadata.name) as ReplicaSet | undefined;
    if (!current) return;
    const before = current.spec.replicas;
    const annotations = update
      ? { ...keptAnnotations(current), ...update.annotations, [REVISION_ANNOTATION]: String(update.revision), 'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas), 'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + 1) }
      : current.metadata.annotations;
    this.store.put(RS, { ...current, metadata: { ...current.metadata, annotations }, spec: { ...current.spec, replicas } });
    if (before !== replicas) {
      const message = `Scaled ${replicas > before ? 'up' : 'down'} replica set ${rs.metadata.name} to ${replicas} from ${before}`;
      this.events.record(d, { reason: 'ScalingReplicaSet', message, component: 'deployment-controller' });
    }
    this.writeStatus(rs);
  }

  private writeStatus(rs: ReplicaSet): void {
    const current = this.store.get(RS, rs.metadata.namespace, rs.metadata.name) as ReplicaSet | undefined;
    if (!current) return;
    const pods = this.podsOf(current);
    const ready = pods.filter(isReady).length;
    const status = {
      replicas: pods.length,
      ...(pods.length ? { fullyLabeledReplicas: pods.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: current.metadata.generation ?? 1,
    };
    this.store.put(RS, { ...current, status });
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond spec.revisionHistoryLimit (default 10). */
  private cleanUp(d: Deployment): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const hash = templateHash(d.spec.template);
    const idle = this.owned(d)
      .filter((rs) => rs.metadata.labels?.[HASH_LABEL] !== hash && rs.spec.replicas === 0 && this.podsOf(rs).length === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) this.store.delete(RS, rs.metadata.namespace, rs.metadata.name);
  }
}

/** The annotations a ReplicaSet keeps of its own when the deployment's are copied over. */
function keptAnnotations(rs: KubeObject): Record<string, string> {
  return Object.fromEntries(Object.entries(rs.metadata.annotations ?? {}).filter(([k]) => NOT_COPIED.has(k)));
}

function copiedAnnotations(d: Deployment): Record<string, string> {
  return Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
}

function replicaSetManifest(d: Deployment, hash: string, revision: number): ReplicaSet {
  const template = structuredClone(d.spec.template);
  const labels = { ...template.metadata?.labels, [HASH_LABEL]: hash };
  const selector = d.spec.selector ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: unsavedMeta({
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels,
      annotations: { ...copiedAnnotations(d), [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [controllerRef(d)],
    }),
    spec: {
      replicas: 0,
      selector: { ...selector, matchLabels: { ...selector.matchLabels, [HASH_LABEL]: hash } },
      template: { ...template, metadata: { ...template.metadata, labels } },
    },
  };
}
