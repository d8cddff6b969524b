import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ConfigurationError, type EksClusterConfig, type KubernetesConfig } from '../../config';
import type { ClusterDirectory, ClusterGateway } from '../../domain/cluster';
import { UnknownClusterError } from '../../domain/errors';
import { KubernetesClusterGateway, type KubernetesClusterGatewayOptions } from './cluster-gateway';
import { type AwsCredentialsProvider, createEksTokenProvider } from './eks-token';
import { readKubeconfig } from './kubeconfig';
import { type ClusterConnection, KubernetesRestClient } from './rest-client';
import { restWorkloadApi } from './workload-api';

/** Options of every cluster's gateway; each cluster's server and credentials come from its own configuration. */
export interface ClusterGatewayOptions extends Omit<KubernetesClusterGatewayOptions, 'server'> {
  /** AWS_REGION; required for EKS (the STS endpoint the tokens are signed for). */
  awsRegion?: string;
  /** Default: the AWS SDK's default credential chain. */
  credentials?: AwsCredentialsProvider;
}

/** The configured clusters: their names (the default first) and how to reach each one. */
export interface ClusterSource {
  names: string[];
  connection(name: string): ClusterConnection;
}

/**
 * One KubernetesClusterGateway per configured cluster, created on first use
 * and cached, each over its own REST client (kept-alive connections, EKS
 * token cache). The same code in AWS and locally: only the connections differ.
 *
 * With KUBECONFIG_PATH every context of the file is a cluster named after it,
 * the current context the default; with CLUSTERS (EKS) every entry is one,
 * signed in with an IAM token bound to its EKS name, the first the default.
 * Throws UnknownClusterError for a name that is not configured.
 */
export function createClusterDirectory(config: KubernetesConfig, options: ClusterGatewayOptions = {}): ClusterDirectory {
  const clients = createClusterClients(config, options);
  const gateway = cachedByName(clients.names, (name): ClusterGateway => {
    const client = clients.client(name);
    return new KubernetesClusterGateway(restWorkloadApi(client), { ...options, server: client.server });
  });
  return { gateway, names: () => [...clients.names] };
}

/** A cluster's REST client by name (absent: the default cluster); an unknown name throws UnknownClusterError. */
export type ClusterClientFor = (cluster?: string) => KubernetesRestClient;

/** The configured clusters' names (the default first) and one REST client each, made on first use and kept. */
export function createClusterClients(config: KubernetesConfig, options: ClusterGatewayOptions = {}): { names: string[]; client: ClusterClientFor } {
  const source = clusterSource(config, options);
  return { names: source.names, client: cachedByName(source.names, (name) => new KubernetesRestClient(source.connection(name))) };
}

/** `make` once per cluster name; absent means the default (the first name); an unknown name throws UnknownClusterError. */
export function cachedByName<T>(names: string[], make: (name: string) => T): (cluster?: string) => T {
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

export function clusterSource(config: KubernetesConfig, options: ClusterGatewayOptions): ClusterSource {
  if (config.KUBECONFIG_PATH) return readKubeconfig(config.KUBECONFIG_PATH);
  if (config.CLUSTERS?.length) return eksSource(config.CLUSTERS, options);
  throw new ConfigurationError('kubernetes: set KUBECONFIG_PATH or CLUSTERS');
}

/** The configured EKS cluster of that name (one of `clusters`: cachedByName checked it). */
export const eksCluster = (clusters: EksClusterConfig[], name: string): EksClusterConfig => clusters.find((c) => c.name === name)!;

/** The AWS region and credentials that sign EKS tokens; throws ConfigurationError without a region. */
export function eksSigning(options: ClusterGatewayOptions): { region: string; credentials: AwsCredentialsProvider } {
  const { awsRegion: region } = options;
  if (!region) throw new ConfigurationError('kubernetes: an AWS region is required to sign EKS tokens');
  return { region, credentials: options.credentials ?? defaultProvider() };
}

/** Each EKS cluster: its endpoint, trusting only its own CA, with a token minted (and cached) from AWS credentials, bound to that cluster. */
function eksSource(clusters: EksClusterConfig[], options: ClusterGatewayOptions): ClusterSource {
  const { region, credentials } = eksSigning(options);
  return {
    names: clusters.map((cluster) => cluster.name),
    connection(name) {
      const cluster = eksCluster(clusters, name);
      return {
        server: cluster.endpoint,
        ca: Buffer.from(cluster.certificateAuthority, 'base64').toString('utf8'),
        token: createEksTokenProvider({ clusterName: cluster.eksClusterName, region, credentials }),
      };
    },
  };
}
