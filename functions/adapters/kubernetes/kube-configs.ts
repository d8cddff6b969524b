import { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError, type EksClusterConfig, type KubernetesConfig } from '../../config';
import { cachedByName, type ClusterGatewayOptions, eksCluster, eksSigning } from './clusters';
import { createEksTokenProvider } from './eks-token';

/**
 * @kubernetes/client-node KubeConfigs of the configured clusters, for the
 * run-checks function only: its job and HTTP checks create Jobs, read pods,
 * logs and Secrets through the library's generated APIs. Every other function
 * reaches clusters through createClusterDirectory's REST client, so this
 * module (and the library's runtime) is kept out of their bundles: it is not
 * exported from the adapter's index.
 */

/** Name of the kubeconfig auth provider that yields EKS tokens. */
const EKS_AUTH_PROVIDER = 'gatekeeper-eks';

/**
 * A KubeConfig per configured cluster, built on first use and cached (with its
 * EKS token cache): `kubeConfigFor(config)(env.target.cluster)`. Each cluster
 * has a KubeConfig of its own whose current context is that cluster, because
 * @kubernetes/client-node authenticates every request with the current
 * context of the KubeConfig an API client was made from. Cluster names and the
 * default are those of createClusterDirectory.
 */
export function kubeConfigFor(config: KubernetesConfig, options: ClusterGatewayOptions = {}): (cluster?: string) => KubeConfig {
  if (config.KUBECONFIG_PATH) return kubeconfigFile(config.KUBECONFIG_PATH);
  if (config.CLUSTERS?.length) return eksKubeConfigs(config.CLUSTERS, options);
  throw new ConfigurationError('kubernetes: set KUBECONFIG_PATH or CLUSTERS');
}

/** Every context of the file is a cluster named after it; the current context is the default. */
function kubeconfigFile(path: string): (cluster?: string) => KubeConfig {
  const file = new KubeConfig();
  file.loadFromFile(path);
  const contexts = file.getContexts().map((context) => context.name);
  if (contexts.length === 0) throw new ConfigurationError(`kubernetes: the kubeconfig ${path} has no contexts`);
  const current = file.getCurrentContext() || contexts[0]!;
  if (!contexts.includes(current)) throw new ConfigurationError(`kubernetes: the current context of ${path}, ${JSON.stringify(current)}, is not one of its contexts`);
  return cachedByName([current, ...contexts.filter((name) => name !== current)], (name) => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({ clusters: file.getClusters(), users: file.getUsers(), contexts: file.getContexts(), currentContext: name });
    return kubeConfig;
  });
}

/** Each EKS cluster with a token user whose token is minted (and cached) from AWS credentials, bound to that cluster. */
function eksKubeConfigs(clusters: EksClusterConfig[], options: ClusterGatewayOptions): (cluster?: string) => KubeConfig {
  const { region, credentials } = eksSigning(options);
  return cachedByName(
    clusters.map((cluster) => cluster.name),
    (name) => {
      const cluster = eksCluster(clusters, name);
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
  );
}
