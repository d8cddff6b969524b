import type { KubernetesConfig } from '../../config';
import type { RolloutOptions } from '../../domain/cluster';

export { type ClusterClientFor, type ClusterGatewayOptions, createClusterClients, createClusterDirectory } from './clusters';
export { type CheckApi, createCheckApis, restCheckApi } from './check-api';
export { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
export { buildEksToken, createEksTokenProvider, type AwsCredentials, type AwsCredentialsProvider } from './eks-token';
export { readKubeconfig, type KubeconfigFile } from './kubeconfig';
export { type ClusterConnection, KubernetesApiError, KubernetesRestClient } from './rest-client';
export { restWorkloadApi, type WorkloadApi } from './workload-api';

/** The RolloutOptions the configuration asks for. */
export function rolloutOptions(config: KubernetesConfig): RolloutOptions {
  return { timeoutMs: config.ROLLOUT_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.ROLLOUT_POLL_MS };
}
