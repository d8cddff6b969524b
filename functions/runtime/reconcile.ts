import { createClusterDirectory } from '../adapters/kubernetes';
import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { httpWebhookTransport } from '../adapters/webhooks/http-transport';
import { readKubernetesConfig, readWebhookRetryConfig, readWorkflowConfig, type Env } from '../config';
import { reconcile, type ReconcileDeps } from '../usecases/reconcile';
import { baseDeps } from './stores';

export function reconcileDeps(env: Env): ReconcileDeps {
  const base = baseDeps(env, 'reconciler');
  return {
    ...base,
    workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN),
    clusters: createClusterDirectory(readKubernetesConfig(env), { awsRegion: base.aws.AWS_REGION }),
    transport: httpWebhookTransport,
    retry: readWebhookRetryConfig(env),
  };
}

/** One reconciler pass per invocation (EventBridge schedule in AWS, a timer in the local stack). */
export function buildReconciler(env: Env) {
  const deps = reconcileDeps(env);
  return () => reconcile(deps);
}
