import type { SecretRef } from './cluster';

/**
 * Pre- and post-deployment checks of an environment (S1). A check's
 * definition is part of the environment's policy; what a run found is kept
 * with the release's stage as a CheckResult.
 *
 * The types live here; parsing a policy's `checks` is in check-definitions.ts,
 * the verdicts on what a run found in check-verdicts.ts.
 */

export type CheckPhase = 'pre' | 'post';

export interface CheckCommon {
  /** Unique within the environment; shown in the API, emails and logs. */
  name: string;
  /** `pre` runs before anything changes (after approval); `post` after the rollout, and a failure rolls back. */
  phase: CheckPhase;
}

/** A Kubernetes Job run in the environment's namespace on its cluster, waited on. */
export interface JobCheck extends CheckCommon {
  kind: 'job';
  /** Absent: the image being released (the app's own smoke test). */
  image?: string;
  /** Absent: the image's entrypoint. */
  command?: string[];
  env?: Record<string, string>;
  /** 1–900, default 300; the Job's activeDeadlineSeconds. */
  timeoutSeconds: number;
}

/** An HTTP request, retried within a window until it answers as expected. */
export interface HttpCheck extends CheckCommon {
  kind: 'http';
  /** Default GET. */
  method: 'GET' | 'HEAD' | 'POST';
  /** Absolute http(s), without user:password@. */
  url: string;
  /** Header values, plain or from a Kubernetes Secret in the environment's namespace. */
  headers?: Record<string, string | SecretRef>;
  /** Default 200. Redirects are not followed, so a 3xx can be expected too. */
  expectStatus: number;
  /** Optional condition on the JSON body: the value at `path` (JSONPath, e.g. `$.status`) must equal `equals`. */
  jsonPath?: { path: string; equals: string | number | boolean };
  /** Default 60: no attempt starts later than this after the first. */
  windowSeconds: number;
  /** Default 5 (or the window, when shorter): from the start of one attempt to the next. */
  intervalSeconds: number;
}

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A PromQL instant query evaluated `count` times, `intervalSeconds` apart; passes when every evaluation does. */
export interface PrometheusCheck extends CheckCommon {
  kind: 'prometheus';
  /** The Prometheus server's base URL (`/api/v1/query` is appended). */
  url: string;
  query: string;
  /** e.g. `{ op: '<', value: 0.01 }`: the query's single value must satisfy it. */
  threshold: { op: Comparison; value: number };
  /** Default 3. */
  count: number;
  /** Default 10. */
  intervalSeconds: number;
}

export type CheckDefinition = JobCheck | HttpCheck | PrometheusCheck;

/** What one run of a check found: the evidence shown in the API and to the next environment's approvers. */
export interface CheckResult {
  name: string;
  kind: CheckDefinition['kind'];
  phase: CheckPhase;
  passed: boolean;
  startedAt: string;
  finishedAt: string;
  /** One line for people: "job smoke-test succeeded in 3 s", "error_rate was 0.2 (needs < 0.01) at evaluation 2 of 3". */
  summary: string;
  /** The end of the job's log (job checks): at most 40 lines and 4 KB (see logTail). */
  logTail?: string;
  /**
   * In order: each evaluation's value (prometheus; `NaN`/`+Inf` as strings, or
   * why there was none) or each attempt's status (http; or what was wrong).
   */
  observations?: Array<string | number>;
}

/** Where a check runs and what it checks: the environment's cluster and namespace, and the release's image. */
export interface CheckContext {
  app: string;
  environment: string;
  cluster?: string;
  namespace: string;
  image: string;
  releaseId: string;
}

/** Runs one check to its verdict. Infrastructure faults throw (ClusterUnreachable…); a failing check returns `passed: false`. */
export interface CheckRunner {
  run(check: CheckDefinition, context: CheckContext): Promise<CheckResult>;
}
