import { signingSecretSource } from '../adapters/signing-secret';
import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { readSigningConfig, readWorkflowConfig, type Env } from '../config';
import type { ApiDeps } from '../api/deps';
import { baseDeps } from './stores';

export function buildApiDeps(env: Env): ApiDeps {
  const base = baseDeps(env, 'api');
  return {
    ...base,
    workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN),
    signingSecret: signingSecretSource(readSigningConfig(env), base.aws),
  };
}
