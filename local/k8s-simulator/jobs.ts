import { randomUUID } from 'node:crypto';
import type { EventRecorder } from './events';
import { type Exit, lifecycleEvents, newPod, withState } from './pods';
import { type Container, type Job, type JobCondition, type KubeObject, type Pod, RESOURCES, isControlledBy } from './resources';
import { type ObjectStore, timestamp } from './store';

/** A Job whose pod template has an image containing this substring fails. */
export const FAILING_CHECK_MARKER = 'fail-check';

export interface JobControllerOptions {
  /** How long a job's pod "runs" before it succeeds or fails. */
  durationMs: number;
}

const JOBS = RESOURCES.jobs;
const PODS = RESOURCES.pods;
const keyOf = (job: KubeObject) => `${job.metadata.namespace}/${job.metadata.name}`;

type Outcome = 'succeeded' | 'failed' | 'deadline';

/** Labels the API server puts on a Job's pod template (the first two since 1.27; kubectl < 1.27 reads the legacy pair). */
export function jobLabels(name: string, uid: string): Record<string, string> {
  return { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
}

const failsCheck = (c: Container) => c.image.includes(FAILING_CHECK_MARKER);
const exitOf = (c: Container): Exit => (failsCheck(c) ? { exitCode: 1, reason: 'Error' } : { exitCode: 0, reason: 'Completed' });

/**
 * Stands in for the Job controller: a new Job gets one pod, Running at once;
 * `durationMs` later the pod and the Job succeed, or fail when an image
 * contains `fail-check` (BackoffLimitExceeded, with no retries simulated), or
 * earlier at `activeDeadlineSeconds` (DeadlineExceeded). `completions` and
 * `parallelism` above 1 are not simulated: one pod decides.
 */
export class JobController {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly options: JobControllerOptions,
  ) {}

  /** Stores a validated new Job with the selector and labels the API server derives from its uid, and starts it. */
  create(job: Job): Job {
    const uid = randomUUID();
    const labels = jobLabels(job.metadata.name, uid);
    const manual = job.spec.manualSelector === true && job.spec.selector;
    const template = { ...job.spec.template, metadata: { ...job.spec.template.metadata, labels: { ...job.spec.template.metadata?.labels, ...labels } } };
    const prepared: Job = {
      ...job,
      metadata: { ...job.metadata, labels: job.metadata.labels ?? template.metadata.labels },
      spec: { ...job.spec, template, selector: manual ? job.spec.selector : { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } } },
    };
    return this.store.batch(() => {
      const created = this.store.create(JOBS, prepared, { uid }) as Job;
      this.start(created);
      return this.store.getOrThrow(JOBS, created.metadata.namespace, created.metadata.name) as Job;
    });
  }

  /** Picks up jobs that were running when the state was saved (their remaining time counts from startTime). */
  resume(): void {
    for (const job of this.store.list(JOBS) as Job[]) {
      if (finished(job)) continue;
      if (!job.status?.startTime) this.start(job);
      else this.schedule(job, Date.parse(job.status.startTime));
    }
  }

  forget(job: KubeObject): void {
    clearTimeout(this.timers.get(keyOf(job)));
    this.timers.delete(keyOf(job));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private start(job: Job): void {
    if (this.closed) return;
    this.store.batch(() => {
      const pod = this.store.create(PODS, withState(newPod(job, job.metadata.name, job.spec.template, {}), 'running')) as Pod;
      this.events.record(job, { reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, component: 'job-controller' });
      for (const event of lifecycleEvents(pod, 'running')) this.events.record(pod, event);
      this.store.setStatus(JOBS, job.metadata.namespace, job.metadata.name, { startTime: timestamp(), active: 1, ready: 1, uncountedTerminatedPods: {} });
    });
    this.schedule(job, Date.now());
  }

  private schedule(job: Job, startedAt: number): void {
    if (this.closed) return;
    const deadlineMs = job.spec.activeDeadlineSeconds ? job.spec.activeDeadlineSeconds * 1000 : Infinity;
    const outcome: Outcome = deadlineMs < this.options.durationMs ? 'deadline' : job.spec.template.spec.containers.some(failsCheck) ? 'failed' : 'succeeded';
    const delay = Math.max(0, startedAt + Math.min(deadlineMs, this.options.durationMs) - Date.now());
    this.forget(job);
    this.timers.set(keyOf(job), setTimeout(() => this.finish(job, outcome), delay));
  }

  private finish(started: Job, outcome: Outcome): void {
    this.timers.delete(keyOf(started));
    const job = this.store.get(JOBS, started.metadata.namespace, started.metadata.name) as Job | undefined;
    if (!job || job.metadata.uid !== started.metadata.uid || finished(job)) return;
    this.store.batch(() => {
      for (const pod of (this.store.list(PODS, job.metadata.namespace) as Pod[]).filter((p) => isControlledBy(p, job))) {
        this.store.put(PODS, withState(pod, outcome === 'succeeded' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'killed', exitOf));
      }
      const now = timestamp();
      const condition = (type: string, reason: string, message: string): JobCondition => ({ type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now });
      const base = { startTime: job.status?.startTime ?? now, ready: 0, uncountedTerminatedPods: {} };
      if (outcome === 'succeeded') {
        this.store.setStatus(JOBS, job.metadata.namespace, job.metadata.name, {
          ...base,
          completionTime: now,
          succeeded: 1,
          conditions: [condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')],
        });
        this.events.record(job, { reason: 'Completed', message: 'Job completed', component: 'job-controller' });
        return;
      }
      const [reason, message] =
        outcome === 'failed' ? ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'] : ['DeadlineExceeded', 'Job was active longer than specified deadline'];
      this.store.setStatus(JOBS, job.metadata.namespace, job.metadata.name, { ...base, failed: 1, conditions: [condition('Failed', reason, message)] });
      this.events.record(job, { type: 'Warning', reason, message, component: 'job-controller' });
    });
  }
}

const finished = (job: Job) => (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
