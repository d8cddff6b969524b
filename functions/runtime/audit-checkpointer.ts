import { signingSecretSource } from '../adapters/signing-secret';
import { readSigningConfig, type Env } from '../config';
import { checkpointChains } from '../usecases/audit-checkpoints';
import { baseDeps } from './stores';

/** One checkpointer pass per invocation (an hourly EventBridge schedule in AWS, a timer in the local stack). */
export function buildAuditCheckpointer(env: Env) {
  const base = baseDeps(env, 'audit-checkpointer');
  const deps = { ...base, signingSecret: signingSecretSource(readSigningConfig(env), base.aws) };
  return () => checkpointChains(deps);
}
