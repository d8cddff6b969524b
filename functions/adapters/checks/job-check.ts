import { randomInt } from 'node:crypto';
import type { V1Job } from '@kubernetes/client-node';
import { type JobOutcome, jobVerdict, logTail } from '../../domain/check-verdicts';
import type { CheckContext, CheckResult, JobCheck } from '../../domain/checks';
import type { ApiCaller } from '../kubernetes/api-caller';
import { httpStatus } from '../kubernetes/api-errors';
import type { CheckApi } from '../kubernetes/check-api';
import { apiCallerFor, type CheckApiFor, defaultSleep, type KubeCallOptions, labelValue, refusal } from './kube';

export interface JobCheckOptions extends KubeCallOptions {
  checkApiFor: CheckApiFor;
  clock?: () => Date;
  /** Between reads of the Job's status. Default 1000. */
  pollMs?: number;
  /** How long past its activeDeadlineSeconds we wait for Kubernetes to end the Job before giving up ourselves. Default 10 000. */
  graceMs?: number;
}

const CONTAINER = 'check';
const LOG_LINES = 40;

/**
 * Runs a job check: creates a batch/v1 Job in the environment's namespace,
 * polls it until Complete or Failed (or its deadline), and keeps the tail of
 * its pod's log. Only an API server that does not answer throws
 * (ClusterUnreachableError, so the step is retried); anything the cluster
 * refuses (no namespace, RBAC…) is a failed check that says why.
 */
export class JobCheckRunner {
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: JobCheckOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.sleep = options.sleep ?? defaultSleep;
  }

  async run(check: JobCheck, context: CheckContext): Promise<CheckResult> {
    const k8s = this.options.checkApiFor(context.cluster);
    const api = apiCallerFor(k8s.server, this.options);
    const { namespace } = context;
    const name = jobName(check.name);
    const started = this.clock();
    const finish = (outcome: JobOutcome, log?: string, note = ''): CheckResult => {
      const finished = this.clock();
      const verdict = jobVerdict(check, outcome, Math.round((finished.getTime() - started.getTime()) / 1000));
      const result: CheckResult = { name: check.name, kind: 'job', phase: check.phase, passed: verdict.passed, startedAt: started.toISOString(), finishedAt: finished.toISOString(), summary: verdict.summary + note };
      if (log !== undefined) result.logTail = log;
      return result;
    };

    try {
      await api.request(`creating job ${namespace}/${name}`, (signal) => k8s.createJob(namespace, jobManifest(check, context, name), signal));
    } catch (error) {
      // The name carries a random suffix: AlreadyExists means our own create landed though its answer was lost.
      if (httpStatus(error) !== 409) return finish({ status: 'failed', reason: `the job could not be created: ${refusalOrThrow(error)}` });
    }

    const deadline = started.getTime() + check.timeoutSeconds * 1000 + (this.options.graceMs ?? 10_000);
    let outcome: JobOutcome | undefined;
    while (!outcome) {
      const job = await api.request(`reading job ${namespace}/${name}`, (signal) => k8s.readJob(namespace, name, signal)).catch((error: unknown) => {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      });
      outcome = job ? outcomeOf(job) : { status: 'failed', reason: 'the job was deleted before it finished' };
      if (outcome) break;
      if (this.clock().getTime() >= deadline) {
        outcome = { status: 'timed-out' };
        // Kubernetes should have stopped it at its deadline; make sure it does not run on.
        await api.request(`deleting job ${namespace}/${name}`, (signal) => k8s.deleteJob(namespace, name, signal)).catch(() => undefined);
        break;
      }
      await this.sleep(this.options.pollMs ?? 1000);
    }

    // The verdict is known: a log that cannot be read (even for a cluster gone quiet) is noted, not worth re-running the job for.
    try {
      const pod = await podOf(api, k8s, namespace, name);
      if (!pod) return finish(outcome, undefined, ' (its pod was not found, so there is no log)');
      const exitCode = pod.exitCode;
      if (outcome.status === 'failed' && exitCode !== undefined && exitCode !== 0) outcome = { status: 'failed', reason: `exit code ${exitCode}` };
      const log = await api.request(`reading the log of pod ${namespace}/${pod.name}`, (signal) =>
        k8s.readPodLog(namespace, pod.name, { container: CONTAINER, tailLines: LOG_LINES }, signal),
      );
      return finish(outcome, logTail(log, LOG_LINES));
    } catch (error) {
      const why = refusal(error) ?? (error instanceof Error ? error.message : String(error));
      return finish(outcome, undefined, ` (its log could not be read: ${why})`);
    }
  }
}

/** `gk-<check>-<5 random>`, at most 63 characters: a fresh name per run, so a retried step never meets its earlier Job. */
export function jobName(check: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `gk-${check.slice(0, 63 - 'gk-'.length - 1 - suffix.length)}-${suffix}`;
}

function jobManifest(check: JobCheck, context: CheckContext, name: string): V1Job {
  const labels = { 'gatekeeper.dev/release': labelValue(context.releaseId), 'gatekeeper.dev/check': check.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: context.namespace, labels },
    spec: {
      backoffLimit: 0, // a check runs once: a retry could hide a flaky failure
      ttlSecondsAfterFinished: 3600, // kept an hour for `kubectl logs`, then Kubernetes cleans up
      activeDeadlineSeconds: check.timeoutSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // A check image needs no Kubernetes credentials; do not hand it the namespace's service account token.
          automountServiceAccountToken: false,
          containers: [
            {
              name: CONTAINER,
              image: check.image ?? context.image,
              ...(check.command ? { command: check.command } : {}),
              ...(check.env ? { env: Object.entries(check.env).map(([envName, value]) => ({ name: envName, value })) } : {}),
            },
          ],
        },
      },
    },
  };
}

/** Complete → succeeded; Failed with DeadlineExceeded → timed out; other Failed → failed; else still running. */
function outcomeOf(job: V1Job): JobOutcome | undefined {
  const condition = (type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  if (condition('Complete')) return { status: 'succeeded' };
  const failed = condition('Failed');
  if (!failed) return undefined;
  if (failed.reason === 'DeadlineExceeded') return { status: 'timed-out' };
  return { status: 'failed', reason: failed.reason ?? failed.message ?? 'failed' };
}

/** The Job's pod (one: backoffLimit is 0), by the `job-name` label the Job controller sets, and its check container's exit code. */
async function podOf(api: ApiCaller, k8s: CheckApi, namespace: string, job: string): Promise<{ name: string; exitCode?: number } | undefined> {
  const pods = await api.request(`listing the pods of job ${namespace}/${job}`, (signal) => k8s.listPods(namespace, `job-name=${job}`, signal));
  const pod = pods.items.at(-1);
  const name = pod?.metadata?.name;
  if (!pod || !name) return undefined;
  return { name, exitCode: pod.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.terminated?.exitCode };
}

function refusalOrThrow(error: unknown): string {
  const why = refusal(error);
  if (why === undefined) throw error;
  return why;
}
