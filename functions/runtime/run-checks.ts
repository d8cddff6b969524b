import { createCheckRunner } from '../adapters/checks';
import { rolloutOptions } from '../adapters/kubernetes';
import { kubeConfigFor } from '../adapters/kubernetes/kube-configs';
import { readAwsConfig, readKubernetesConfig, type Env } from '../config';
import { createRunChecksStep } from '../steps/run-checks';
import { deployDeps } from './deploy';

/**
 * RunPre/PostDeploymentChecks: jobs run in the environment's cluster, HTTP and Prometheus from the function.
 * A module of its own because the checks use @kubernetes/client-node, which the deploy and rollback bundles leave out.
 */
export function buildRunChecksStep(env: Env) {
  const kubernetes = readKubernetesConfig(env);
  const kubeConfigs = kubeConfigFor(kubernetes, { awsRegion: readAwsConfig(env).AWS_REGION });
  return createRunChecksStep({ ...deployDeps(env, 'run-checks'), checks: createCheckRunner({ kubeConfigFor: kubeConfigs, jobPollMs: rolloutOptions(kubernetes).pollIntervalMs }) });
}
