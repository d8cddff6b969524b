import type { KubernetesConfig } from '../../config';
import type { RolloutOptions } from '../../domain/cluster';

export { type ClusterGatewayOptions, createClusterDirectory, kubeConfigFor } from './clusters';
export { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
export { buildEksToken, createEksTokenProvider, type AwsCredentials, type AwsCredentialsProvider } from './eks-token';

/** The RolloutOptions the configuration asks for. */
export function rolloutOptions(config: KubernetesConfig): RolloutOptions {
  return { timeoutMs: config.ROLLOUT_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.ROLLOUT_POLL_MS };
}
