import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ConfigurationError, type KubernetesConfig } from '../../config';
import type { ClusterGateway, RolloutOptions } from '../../domain/cluster';
import { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
import { type AwsCredentialsProvider, createEksTokenProvider } from './eks-token';

export { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
export { buildEksToken, createEksTokenProvider, type AwsCredentials, type AwsCredentialsProvider } from './eks-token';

export interface ClusterGatewayOptions extends KubernetesClusterGatewayOptions {
  /** AWS_REGION; required for EKS (the STS endpoint the token is signed for). */
  awsRegion?: string;
  /** Default: the AWS SDK's default credential chain. */
  credentials?: AwsCredentialsProvider;
}

/** Name of the kubeconfig auth provider that yields EKS tokens. */
const EKS_AUTH_PROVIDER = 'gatekeeper-eks';

/**
 * A KubeConfig from KUBECONFIG_PATH, or for EKS from the cluster endpoint and
 * CA with a token user whose token is minted (and cached) from AWS credentials.
 */
export function buildKubeConfig(config: KubernetesConfig, options: ClusterGatewayOptions = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG_PATH) {
    kubeConfig.loadFromFile(config.KUBECONFIG_PATH);
    return kubeConfig;
  }
  const { EKS_CLUSTER_NAME: clusterName, EKS_CLUSTER_ENDPOINT: server, EKS_CLUSTER_CA: caData } = config;
  if (!clusterName || !server || !caData) {
    throw new ConfigurationError('kubernetes: set either KUBECONFIG_PATH or all of EKS_CLUSTER_NAME, EKS_CLUSTER_ENDPOINT, EKS_CLUSTER_CA');
  }
  if (!options.awsRegion) throw new ConfigurationError('kubernetes: an AWS region is required to sign EKS tokens');
  const token = createEksTokenProvider({ clusterName, region: options.awsRegion, credentials: options.credentials ?? defaultProvider() });
  kubeConfig.loadFromOptions({
    clusters: [{ name: clusterName, server, caData, skipTLSVerify: false }],
    users: [{ name: 'gatekeeper', authProvider: { name: EKS_AUTH_PROVIDER } }],
    contexts: [{ name: clusterName, cluster: clusterName, user: 'gatekeeper' }],
    currentContext: clusterName,
  });
  kubeConfig.addAuthenticator({
    isAuthProvider: (user) => (user.authProvider as { name?: string } | undefined)?.name === EKS_AUTH_PROVIDER,
    applyAuthentication: async (_user, requestOptions) => {
      requestOptions.headers = { ...(requestOptions.headers as Record<string, string>), Authorization: `Bearer ${await token()}` };
    },
  });
  return kubeConfig;
}

export function createClusterGateway(config: KubernetesConfig, options: ClusterGatewayOptions = {}): ClusterGateway {
  const kubeConfig = buildKubeConfig(config, options);
  return new KubernetesClusterGateway(kubeConfig.makeApiClient(AppsV1Api), {
    ...options,
    core: options.core ?? kubeConfig.makeApiClient(CoreV1Api),
    server: options.server ?? kubeConfig.getCurrentCluster()?.server,
  });
}

/** The RolloutOptions the configuration asks for. */
export function rolloutOptions(config: KubernetesConfig): RolloutOptions {
  return { timeoutMs: config.ROLLOUT_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.ROLLOUT_POLL_MS };
}
