import { createClusterGateway, rolloutOptions } from '../adapters/kubernetes';
import { readKubernetesConfig, type Env } from '../config';
import { createDeployStep, type DeployStepDeps } from '../steps/deploy';
import { createRollbackStep } from '../steps/rollback';
import { baseDeps } from './stores';

function deployDeps(env: Env, service: string): DeployStepDeps {
  const base = baseDeps(env, service);
  const kubernetes = readKubernetesConfig(env);
  return {
    ...base,
    cluster: createClusterGateway(kubernetes, { awsRegion: base.aws.AWS_REGION }),
    rollout: rolloutOptions(kubernetes),
    // CloudWatch picks EMF lines out of the function's log stream; only the cloud asks for them.
    ...(env.METRICS_EMF === 'on' ? { emitMetrics: (line: string) => void process.stdout.write(`${line}\n`) } : {}),
  };
}

export const buildDeployStep = (env: Env) => createDeployStep(deployDeps(env, 'deploy'));
export const buildRollbackStep = (env: Env) => createRollbackStep(deployDeps(env, 'rollback'));
