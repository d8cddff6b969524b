import { createCheckRunner } from '../adapters/checks';
import { createCheckApis, rolloutOptions } from '../adapters/kubernetes';
import { readAwsConfig, readKubernetesConfig, type Env } from '../config';
import { createRunChecksStep } from '../steps/run-checks';
import { deployDeps } from './deploy';

/** RunPre/PostDeploymentChecks: jobs run in the environment's cluster, HTTP and Prometheus from the function. */
export function buildRunChecksStep(env: Env) {
  const kubernetes = readKubernetesConfig(env);
  const checkApiFor = createCheckApis(kubernetes, { awsRegion: readAwsConfig(env).AWS_REGION });
  return createRunChecksStep({ ...deployDeps(env, 'run-checks'), checks: createCheckRunner({ checkApiFor, jobPollMs: rolloutOptions(kubernetes).pollIntervalMs }) });
}
