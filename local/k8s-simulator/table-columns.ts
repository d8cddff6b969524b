import type { Deployment, Job, KubeObject, Plural, Pod, PodTemplate, ReplicaSet } from './resources';
import { selectorString } from './selectors';

/**
 * The columns of the server-side tables (`kubectl get`), per resource type,
 * with the names, order and priorities the API server uses: priority 0 always
 * shows, priority 1 only with `-o wide`.
 */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name';
  description: string;
  priority: 0 | 1;
  /** `since` is the human-readable time from `from` to `to` (default now), as in the AGE column. */
  cell(object: KubeObject, since: (from: string | undefined, to?: string) => string): string | number;
}

const NONE = '<none>';

const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name };
const age: Column = { name: 'Age', type: 'date', description: 'Time since the object was created.', priority: 0, cell: (o, since) => since(o.metadata.creationTimestamp) };

/** The Containers, Images and Selector columns of workload types (priority 1). */
function templateColumns(template: (o: KubeObject) => PodTemplate, selector: (o: KubeObject) => string): Column[] {
  return [
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.', priority: 1, cell: (o) => template(o).spec.containers.map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', priority: 1, cell: (o) => template(o).spec.containers.map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', description: 'Label selector of the pods.', priority: 1, cell: (o) => selector(o) || NONE },
  ];
}

const count = (n: number | undefined) => n ?? 0;

function podStatusText(pod: Pod): string {
  const s = pod.status;
  if (!s) return 'Pending';
  if (typeof s.reason === 'string' && s.reason) return s.reason;
  for (const c of s.containerStatuses ?? []) {
    if (c.state.waiting?.reason) return c.state.waiting.reason;
    if (c.state.terminated && s.phase !== 'Running') return c.state.terminated.reason;
  }
  return s.phase;
}

function jobStatusText(job: Job): string {
  const done = (type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True');
  if (done('Complete')) return 'Complete';
  if (done('Failed')) return 'Failed';
  if (job.spec.suspend === true) return 'Suspended';
  return 'Running';
}

export const COLUMNS: Record<Plural, Column[]> = {
  namespaces: [
    name,
    { name: 'Status', type: 'string', description: 'The status of the namespace.', priority: 0, cell: (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '') },
    age,
  ],
  configmaps: [name, { name: 'Data', type: 'integer', description: 'Number of data entries.', priority: 0, cell: (o) => Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length }, age],
  secrets: [
    name,
    { name: 'Type', type: 'string', description: 'The type of the secret.', priority: 0, cell: (o) => String(o.type ?? '') },
    { name: 'Data', type: 'integer', description: 'Number of data entries.', priority: 0, cell: (o) => Object.keys((o.data as object | undefined) ?? {}).length },
    age,
  ],
  deployments: [
    name,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state.', priority: 0, cell: (o) => `${count((o as Deployment).status?.readyReplicas)}/${(o as Deployment).spec.replicas}` },
    { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', priority: 0, cell: (o) => count((o as Deployment).status?.updatedReplicas) },
    { name: 'Available', type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', priority: 0, cell: (o) => count((o as Deployment).status?.availableReplicas) },
    age,
    ...templateColumns((o) => (o as Deployment).spec.template, (o) => selectorString((o as Deployment).spec.selector)),
  ],
  replicasets: [
    name,
    { name: 'Desired', type: 'integer', description: 'Number of desired pods.', priority: 0, cell: (o) => (o as ReplicaSet).spec.replicas },
    { name: 'Current', type: 'integer', description: 'Number of actual replicas.', priority: 0, cell: (o) => count((o as ReplicaSet).status?.replicas) },
    { name: 'Ready', type: 'integer', description: 'Number of ready replicas.', priority: 0, cell: (o) => count((o as ReplicaSet).status?.readyReplicas) },
    age,
    ...templateColumns((o) => (o as ReplicaSet).spec.template, (o) => selectorString((o as ReplicaSet).spec.selector)),
  ],
  pods: [
    name,
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
      cell: (o) => `${((o as Pod).status?.containerStatuses ?? []).filter((c) => c.ready).length}/${(o as Pod).spec.containers.length}`,
    },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', priority: 0, cell: (o) => podStatusText(o as Pod) },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', priority: 0, cell: (o) => String(((o as Pod).status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0)) },
    age,
    { name: 'IP', type: 'string', description: 'IP address allocated to the pod.', priority: 1, cell: (o) => (o as Pod).status?.podIP ?? NONE },
    { name: 'Node', type: 'string', description: 'Name of the Node the Pod is assigned to.', priority: 1, cell: (o) => (o as Pod).spec.nodeName ?? NONE },
    { name: 'Nominated Node', type: 'string', description: 'Node the scheduler nominated for this pod.', priority: 1, cell: () => NONE },
    { name: 'Readiness Gates', type: 'string', description: 'Pod readiness gates.', priority: 1, cell: () => NONE },
  ],
  jobs: [
    name,
    { name: 'Status', type: 'string', description: 'Status of the job.', priority: 0, cell: (o) => jobStatusText(o as Job) },
    { name: 'Completions', type: 'string', description: 'The completion status of the job.', priority: 0, cell: (o) => `${count((o as Job).status?.succeeded)}/${(o as Job).spec.completions ?? 1}` },
    {
      name: 'Duration',
      type: 'string',
      description: 'Time required to complete the job.',
      priority: 0,
      cell: (o, since) => {
        const { startTime, completionTime } = (o as Job).status ?? {};
        if (!startTime) return '';
        return completionTime ? since(startTime, completionTime) : since(startTime);
      },
    },
    age,
    ...templateColumns((o) => (o as Job).spec.template, (o) => selectorString((o as Job).spec.selector)),
  ],
  events: [
    { name: 'Last Seen', type: 'string', description: 'Time since the event was last seen.', priority: 0, cell: (o, since) => since(String(o.lastTimestamp ?? o.metadata.creationTimestamp)) },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning).', priority: 0, cell: (o) => String(o.type ?? '') },
    { name: 'Reason', type: 'string', description: 'Why the action was taken.', priority: 0, cell: (o) => String(o.reason ?? '') },
    { name: 'Object', type: 'string', description: 'The object this event is about.', priority: 0, cell: (o) => involved(o) },
    { name: 'Subobject', type: 'string', description: 'The part of the object, if any.', priority: 1, cell: () => '' },
    { name: 'Source', type: 'string', description: 'The component reporting this event.', priority: 1, cell: (o) => String((o.source as { component?: string } | undefined)?.component ?? '') },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', priority: 0, cell: (o) => String(o.message ?? '') },
    { name: 'First Seen', type: 'string', description: 'Time since the event was first seen.', priority: 1, cell: (o, since) => since(String(o.firstTimestamp ?? o.metadata.creationTimestamp)) },
    { name: 'Count', type: 'string', description: 'How many times this event occurred.', priority: 1, cell: (o) => String(o.count ?? 1) },
    { name: 'Name', type: 'string', description: 'The name of the event.', priority: 1, cell: (o) => o.metadata.name },
  ],
};

function involved(event: KubeObject): string {
  const ref = (event.involvedObject ?? {}) as { kind?: string; name?: string };
  return `${(ref.kind ?? '').toLowerCase()}/${ref.name ?? ''}`;
}
