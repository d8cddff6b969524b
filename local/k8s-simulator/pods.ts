import { createHash, randomInt } from 'node:crypto';
import type { EventInput } from './events';
import { randomSuffix } from './names';
import { type Container, type ContainerStatus, type KubeObject, type Pod, type PodStatus, type PodTemplate, controllerRef, unsavedMeta } from './resources';
import { timestamp } from './store';

/** The one node every simulated pod is "scheduled" on. */
export const NODE_NAME = 'simulator-node';

/**
 * The lifecycle states the simulator gives pods: `running` (Running and
 * ready), `waiting` (Pending, its images never pull: a failing rollout),
 * `succeeded` and `failed` (a finished Job pod; failed containers exit 1) and
 * `killed` (a Job pod stopped at its activeDeadlineSeconds).
 */
export type PodState = 'running' | 'waiting' | 'succeeded' | 'failed' | 'killed';

/** The exit a finished container reports. */
export type Exit = { exitCode: number; reason: string };

/** A new pod named `<prefix>-<5 chars>` from `template`, controlled by `owner`. */
export function newPod(owner: KubeObject, prefix: string, template: PodTemplate, labels: Record<string, string>): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: unsavedMeta({
      name: `${prefix}-${randomSuffix()}`,
      generateName: `${prefix}-`,
      namespace: owner.metadata.namespace,
      labels: { ...meta.labels, ...labels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    }),
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      ...structuredClone(template.spec),
      nodeName: NODE_NAME,
    },
    status: { phase: 'Pending' },
  };
}

/** The state a pod's status shows (the reverse of `withState`). */
export function podState(pod: Pod): PodState {
  switch (pod.status?.phase) {
    case 'Running':
      return 'running';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return pod.status.reason === 'DeadlineExceeded' ? 'killed' : 'failed';
    default:
      return 'waiting';
  }
}

export const isReady = (pod: Pod): boolean => podState(pod) === 'running';

/** The pod with its status set for `state`; `exit` says how each container ended (finished states only). */
export function withState(pod: Pod, state: PodState, exit: (c: Container) => Exit = () => ({ exitCode: 0, reason: 'Completed' })): Pod {
  const now = timestamp();
  const startTime = pod.status?.startTime ?? now;
  const containerStatuses = pod.spec.containers.map((c): ContainerStatus => {
    const base = { name: c.name, image: c.image, imageID: imageId(c.image), containerID: containerId(pod, c), restartCount: 0 };
    if (state === 'waiting') {
      return { ...base, imageID: '', containerID: undefined, ready: false, started: false, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } } };
    }
    if (state === 'running') return { ...base, ready: true, started: true, state: { running: { startedAt: startTime } } };
    const previous = pod.status?.containerStatuses?.find((s) => s.name === c.name)?.state.terminated;
    const { exitCode, reason } = previous ?? (state === 'killed' ? { exitCode: 137, reason: 'Error' } : exit(c));
    return { ...base, ready: false, started: false, state: { terminated: { exitCode, reason, startedAt: startTime, finishedAt: previous?.finishedAt ?? now, containerID: base.containerID } } };
  });
  const status: PodStatus = {
    phase: PHASES[state],
    conditions: conditions(state, pod.status, now),
    hostIP: '10.0.0.1',
    podIP: pod.status?.podIP ?? `10.244.${randomInt(256)}.${randomInt(1, 255)}`,
    startTime,
    containerStatuses: containerStatuses.map((s) => JSON.parse(JSON.stringify(s)) as ContainerStatus), // drops the undefined containerID
    qosClass: 'BestEffort',
  };
  if (state === 'killed') Object.assign(status, { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  return { ...pod, status };
}

const PHASES: Record<PodState, PodStatus['phase']> = { running: 'Running', waiting: 'Pending', succeeded: 'Succeeded', failed: 'Failed', killed: 'Failed' };

function conditions(state: PodState, previous: PodStatus | undefined, now: string): NonNullable<PodStatus['conditions']> {
  const ready = state === 'running';
  const reason = ready ? undefined : state === 'waiting' ? 'ContainersNotReady' : 'PodCompleted';
  const make = (type: string, status: boolean, why?: string) => {
    const before = previous?.conditions?.find((c) => c.type === type);
    const value = status ? ('True' as const) : ('False' as const);
    const lastTransitionTime = before?.status === value ? before.lastTransitionTime : now;
    return { type, status: value, ...(why ? { reason: why } : {}), lastProbeTime: null, lastTransitionTime };
  };
  return [
    make('PodReadyToStartContainers', state !== 'waiting'),
    make('Initialized', true),
    make('Ready', ready, reason),
    make('ContainersReady', ready, reason),
    make('PodScheduled', true),
  ];
}

/** What a kubelet reports as the image ID: the digest reference (made up from the name when the image has none). */
function imageId(image: string): string {
  if (image.includes('@sha256:')) return image;
  const repository = image.replace(/:[^/:]+$/, '');
  return `${repository}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function containerId(pod: Pod, container: Container): string {
  return `containerd://${createHash('sha256').update(`${pod.metadata.namespace}/${pod.metadata.name}/${container.name}`).digest('hex')}`;
}

/** The scheduler's and kubelet's events for a pod that just reached `state` (from Pending, or from `waiting`). */
export function lifecycleEvents(pod: Pod, state: PodState, fromWaiting = false): EventInput[] {
  const kubelet = (reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): EventInput => ({ type, reason, message, component: 'kubelet' });
  const events: EventInput[] = fromWaiting
    ? []
    : [{ reason: 'Scheduled', message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`, component: 'default-scheduler' }];
  for (const c of pod.spec.containers) {
    if (state === 'waiting') {
      events.push(
        kubelet('Pulling', `Pulling image "${c.image}"`),
        kubelet('Failed', `Failed to pull image "${c.image}": the simulator fails this image`, 'Warning'),
        kubelet('BackOff', `Back-off pulling image "${c.image}"`),
      );
    } else {
      events.push(kubelet('Pulled', `Container image "${c.image}" already present on machine`), kubelet('Created', `Created container ${c.name}`), kubelet('Started', `Started container ${c.name}`));
    }
  }
  return events;
}
