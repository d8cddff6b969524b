import type { KubernetesConfig } from '../../config';
import type { RolloutOptions } from '../../domain/cluster';

// kubeConfigFor (./kube-configs) is left out on purpose: it loads @kubernetes/client-node,
// which only the run-checks function needs; importing it from here would put the library
// in every bundle that imports this index.
export { type ClusterGatewayOptions, createClusterDirectory } from './clusters';
export { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
export { buildEksToken, createEksTokenProvider, type AwsCredentials, type AwsCredentialsProvider } from './eks-token';
export { readKubeconfig, type KubeconfigFile } from './kubeconfig';
export { type ClusterConnection, KubernetesApiError, KubernetesRestClient } from './rest-client';
export { restWorkloadApi, type WorkloadApi } from './workload-api';

/** The RolloutOptions the configuration asks for. */
export function rolloutOptions(config: KubernetesConfig): RolloutOptions {
  return { timeoutMs: config.ROLLOUT_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.ROLLOUT_POLL_MS };
}
