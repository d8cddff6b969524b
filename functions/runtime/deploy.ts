import { createClusterDirectory, rolloutOptions } from '../adapters/kubernetes';
import { readKubernetesConfig, type Env } from '../config';
import { createDeployStep, type DeployStepDeps } from '../steps/deploy';
import { createRecordRollbackFailureStep, createRollbackStep, type RollbackFailureInput, type RollbackInput } from '../steps/rollback';
import { baseDeps } from './stores';

/** What the deploy, rollback and run-checks functions share: the stores, the clusters (REST client), the rollout options. */
export function deployDeps(env: Env, service: string): DeployStepDeps {
  const base = baseDeps(env, service);
  const kubernetes = readKubernetesConfig(env);
  return {
    ...base,
    clusters: createClusterDirectory(kubernetes, { awsRegion: base.aws.AWS_REGION }),
    rollout: rolloutOptions(kubernetes),
    // CloudWatch picks EMF lines out of the function's log stream; only the cloud asks for them.
    ...(env.METRICS_EMF === 'on' ? { emitMetrics: (line: string) => void process.stdout.write(`${line}\n`) } : {}),
  };
}

export const buildDeployStep = (env: Env) => createDeployStep(deployDeps(env, 'deploy'));
/** One function, two states: RollBack* restores the previous version, RecordRollbackFailed* records that it could not. */
export function buildRollbackStep(env: Env) {
  const deps = deployDeps(env, 'rollback');
  const rollback = createRollbackStep(deps);
  const recordFailure = createRecordRollbackFailureStep(deps);
  return (input: RollbackInput | RollbackFailureInput) => ('rollbackFailure' in input ? recordFailure(input) : rollback(input));
}
