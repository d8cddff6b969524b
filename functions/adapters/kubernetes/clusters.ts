import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ConfigurationError, type EksClusterConfig, type KubernetesConfig } from '../../config';
import type { ClusterDirectory, ClusterGateway } from '../../domain/cluster';
import { UnknownClusterError } from '../../domain/errors';
import { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
import { type AwsCredentialsProvider, createEksTokenProvider } from './eks-token';

/** Options of every cluster's gateway; each cluster's API clients and server come from its own configuration. */
export interface ClusterGatewayOptions extends Omit<KubernetesClusterGatewayOptions, 'core' | 'server'> {
  /** AWS_REGION; required for EKS (the STS endpoint the tokens are signed for). */
  awsRegion?: string;
  /** Default: the AWS SDK's default credential chain. */
  credentials?: AwsCredentialsProvider;
}

/** Name of the kubeconfig auth provider that yields EKS tokens. */
const EKS_AUTH_PROVIDER = 'gatekeeper-eks';

/** The configured clusters: their names (the default first) and how to build each one's KubeConfig. */
interface ClusterSource {
  names: string[];
  build(name: string): KubeConfig;
}

/**
 * A KubeConfig per configured cluster, built on first use and cached (with its
 * EKS token cache): `kubeConfigFor(config)(env.target.cluster)`. Each cluster
 * has a KubeConfig of its own whose current context is that cluster, because
 * @kubernetes/client-node authenticates every request with the current
 * context of the KubeConfig an API client was made from.
 *
 * With KUBECONFIG_PATH every context of the file is a cluster named after it,
 * the current context the default; with CLUSTERS (EKS) every entry is one,
 * signed in with an IAM token bound to its EKS name, the first the default.
 * Throws UnknownClusterError for a name that is not configured.
 */
export function kubeConfigFor(config: KubernetesConfig, options: ClusterGatewayOptions = {}): (cluster?: string) => KubeConfig {
  const source = clusterSource(config, options);
  return cachedByName(source.names, (name) => source.build(name));
}

/** One KubernetesClusterGateway per configured cluster, created on first use and cached (see kubeConfigFor). */
export function createClusterDirectory(config: KubernetesConfig, options: ClusterGatewayOptions = {}): ClusterDirectory {
  const source = clusterSource(config, options);
  const gateway = cachedByName(source.names, (name): ClusterGateway => {
    const kubeConfig = source.build(name);
    return new KubernetesClusterGateway(kubeConfig.makeApiClient(AppsV1Api), {
      ...options,
      core: kubeConfig.makeApiClient(CoreV1Api),
      server: kubeConfig.getCurrentCluster()?.server,
    });
  });
  return { gateway, names: () => [...source.names] };
}

/** `make` once per cluster name; absent means the default (the first name); an unknown name throws UnknownClusterError. */
function cachedByName<T>(names: string[], make: (name: string) => T): (cluster?: string) => T {
  const made = new Map<string, T>();
  return (cluster) => {
    const name = cluster ?? names[0]!;
    if (!names.includes(name)) throw new UnknownClusterError(`no cluster named ${JSON.stringify(name)} is configured (configured: ${names.join(', ')})`);
    let value = made.get(name);
    if (value === undefined) {
      value = make(name);
      made.set(name, value);
    }
    return value;
  };
}

function clusterSource(config: KubernetesConfig, options: ClusterGatewayOptions): ClusterSource {
  if (config.KUBECONFIG_PATH) return kubeconfigFileSource(config.KUBECONFIG_PATH);
  if (config.CLUSTERS?.length) return eksSource(config.CLUSTERS, options);
  throw new ConfigurationError('kubernetes: set KUBECONFIG_PATH or CLUSTERS');
}

/** Every context of the file is a cluster named after it; the current context is the default. */
function kubeconfigFileSource(path: string): ClusterSource {
  const file = new KubeConfig();
  file.loadFromFile(path);
  const contexts = file.getContexts().map((context) => context.name);
  if (contexts.length === 0) throw new ConfigurationError(`kubernetes: the kubeconfig ${path} has no contexts`);
  const current = file.getCurrentContext() || contexts[0]!;
  if (!contexts.includes(current)) throw new ConfigurationError(`kubernetes: the current context of ${path}, ${JSON.stringify(current)}, is not one of its contexts`);
  return {
    names: [current, ...contexts.filter((name) => name !== current)],
    build(name) {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({ clusters: file.getClusters(), users: file.getUsers(), contexts: file.getContexts(), currentContext: name });
      return kubeConfig;
    },
  };
}

/** Each EKS cluster with a token user whose token is minted (and cached) from AWS credentials, bound to that cluster. */
function eksSource(clusters: EksClusterConfig[], options: ClusterGatewayOptions): ClusterSource {
  const { awsRegion: region } = options;
  if (!region) throw new ConfigurationError('kubernetes: an AWS region is required to sign EKS tokens');
  const credentials = options.credentials ?? defaultProvider();
  return {
    names: clusters.map((cluster) => cluster.name),
    build(name) {
      const cluster = clusters.find((c) => c.name === name)!;
      const token = createEksTokenProvider({ clusterName: cluster.eksClusterName, region, credentials });
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: cluster.name, server: cluster.endpoint, caData: cluster.certificateAuthority, skipTLSVerify: false }],
        users: [{ name: 'gatekeeper', authProvider: { name: EKS_AUTH_PROVIDER } }],
        contexts: [{ name: cluster.name, cluster: cluster.name, user: 'gatekeeper' }],
        currentContext: cluster.name,
      });
      kubeConfig.addAuthenticator({
        isAuthProvider: (user) => (user.authProvider as { name?: string } | undefined)?.name === EKS_AUTH_PROVIDER,
        applyAuthentication: async (_user, requestOptions) => {
          requestOptions.headers = { ...(requestOptions.headers as Record<string, string>), Authorization: `Bearer ${await token()}` };
        },
      });
      return kubeConfig;
    },
  };
}
