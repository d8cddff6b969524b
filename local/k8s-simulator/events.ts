import { type KubeObject, RESOURCES, unsavedMeta } from './resources';
import { type ObjectStore, timestamp } from './store';

/** What the simulated controllers report about an object, as `kubectl describe` and `kubectl get events` show it. */
export interface EventInput {
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The reporting controller: deployment-controller, kubelet, default-scheduler… */
  component: string;
}

const EVENTS = RESOURCES.events;

/** Events are ephemeral (never persisted); the oldest go once there are this many. */
const MAX_EVENTS = 1000;

/**
 * Records core/v1 Events. Like the real event recorder it folds a repeat of the
 * same reason and message about the same object into the existing event
 * (count + 1, lastTimestamp) instead of adding another.
 */
export class EventRecorder {
  private sequence = 0;
  /** Event keys (namespace/name) in creation order, for the cap. */
  private readonly order: string[] = [];
  /** involved uid + reason + message → event key, to fold repeats without scanning every event. */
  private readonly byCause = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  record(involved: KubeObject, input: EventInput): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const now = timestamp();
    const cause = `${involved.metadata.uid}\n${input.reason}\n${input.message}`;
    const [sameNamespace = '', sameName = ''] = (this.byCause.get(cause) ?? '/').split('/');
    const same = sameName ? this.store.get(EVENTS, sameNamespace, sameName) : undefined;
    if (same) {
      this.store.put(EVENTS, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    // The real recorder names events <object>.<hex nanoseconds>; a counter keeps them unique within a millisecond.
    this.sequence += 1;
    const name = `${involved.metadata.name}.${(Date.now() * 1000 + (this.sequence % 1000)).toString(16)}`;
    this.store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: unsavedMeta({ name, namespace }),
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason: input.reason,
      message: input.message,
      source: { component: input.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: input.type ?? 'Normal',
      eventTime: null,
      reportingComponent: input.component,
      reportingInstance: '',
    });
    this.order.push(`${namespace}/${name}`);
    this.byCause.set(cause, `${namespace}/${name}`);
    while (this.order.length > MAX_EVENTS) {
      const [oldNamespace = '', oldName = ''] = (this.order.shift() ?? '').split('/');
      if (this.store.get(EVENTS, oldNamespace, oldName)) this.store.delete(EVENTS, oldNamespace, oldName);
    }
    if (this.byCause.size > MAX_EVENTS * 2) {
      for (const [key, value] of this.byCause) if (!this.order.includes(value)) this.byCause.delete(key);
    }
  }
}
