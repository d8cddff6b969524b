import type { CheckContext, CheckDefinition, CheckResult, CheckRunner } from '../../domain/checks';
import { HttpCheckRunner, kubernetesSecretReader, type ReadSecret } from './http-check';
import { JobCheckRunner } from './job-check';
import type { CheckApiFor, KubeCallOptions } from './kube';
import { PrometheusCheckRunner } from './prometheus-check';

export { HttpCheckRunner, kubernetesSecretReader, type HttpCheckOptions, type ReadSecret } from './http-check';
export { JobCheckRunner, jobName, type JobCheckOptions } from './job-check';
export type { CheckApiFor, KubeCallOptions } from './kube';
export { PrometheusCheckRunner, type PrometheusCheckOptions } from './prometheus-check';

export interface CheckRunnerDeps extends KubeCallOptions {
  /** A cluster's Kubernetes calls by name (absent: the default cluster), from the multi-cluster registry. */
  checkApiFor: CheckApiFor;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  /** Default: kubernetesSecretReader(checkApiFor). */
  readSecret?: ReadSecret;
  /** Between reads of a job's status. Default 1000. */
  jobPollMs?: number;
}

/** The CheckRunner the run-checks step uses: one adapter per kind, sharing the clock, sleep and fetch. */
export function createCheckRunner(deps: CheckRunnerDeps): CheckRunner {
  const { checkApiFor, fetch, sleep, clock } = deps;
  const kube: KubeCallOptions = { requestTimeoutMs: deps.requestTimeoutMs, transportAttempts: deps.transportAttempts, transportRetryDelayMs: deps.transportRetryDelayMs, sleep };
  const job = new JobCheckRunner({ ...kube, checkApiFor, clock, pollMs: deps.jobPollMs });
  const http = new HttpCheckRunner({ readSecret: deps.readSecret ?? kubernetesSecretReader(checkApiFor, kube), fetch, sleep, clock });
  const prometheus = new PrometheusCheckRunner({ fetch, sleep, clock });
  return {
    run(check: CheckDefinition, context: CheckContext): Promise<CheckResult> {
      switch (check.kind) {
        case 'job':
          return job.run(check, context);
        case 'http':
          return http.run(check, context);
        case 'prometheus':
          return prometheus.run(check, context);
      }
    },
  };
}
