import type { V1Job, V1PodList, V1Secret } from '@kubernetes/client-node';
import type { KubernetesConfig } from '../../config';
import { cachedByName, type ClusterGatewayOptions, createClusterClients } from './clusters';
import type { KubernetesRestClient } from './rest-client';

/**
 * The Kubernetes calls the checks make, and nothing more: create, read and
 * delete a namespaced Job (batch/v1), list a Job's pods and read a pod's log,
 * read a Secret (v1). Objects are @kubernetes/client-node's types (types only:
 * nothing of the library is loaded). Each call takes the signal that aborts it
 * (the ApiCaller's timeout).
 */
export interface CheckApi {
  /** The API server's URL, named in messages. */
  readonly server: string;
  createJob(namespace: string, body: V1Job, signal?: AbortSignal): Promise<V1Job>;
  readJob(namespace: string, name: string, signal?: AbortSignal): Promise<V1Job>;
  /** Deletes the Job and, in the background, its pods. */
  deleteJob(namespace: string, name: string, signal?: AbortSignal): Promise<unknown>;
  listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<V1PodList>;
  /** The last `tailLines` lines of a container's log, as text. */
  readPodLog(namespace: string, name: string, log: { container: string; tailLines: number }, signal?: AbortSignal): Promise<string>;
  readSecret(namespace: string, name: string, signal?: AbortSignal): Promise<V1Secret>;
}

const segment = encodeURIComponent;
const jobs = (namespace: string) => `/apis/batch/v1/namespaces/${segment(namespace)}/jobs`;
const core = (namespace: string, kind: 'pods' | 'secrets') => `/api/v1/namespaces/${segment(namespace)}/${kind}`;

/** CheckApi over the REST API. The same requests whatever the server: EKS, kind, the local simulator. */
export function restCheckApi(client: KubernetesRestClient): CheckApi {
  return {
    server: client.server,
    createJob: (namespace, body, signal) => client.request('POST', jobs(namespace), { body, signal }),
    readJob: (namespace, name, signal) => client.request('GET', `${jobs(namespace)}/${segment(name)}`, { signal }),
    deleteJob: (namespace, name, signal) => client.request('DELETE', `${jobs(namespace)}/${segment(name)}?propagationPolicy=Background`, { signal }),
    listPods: (namespace, labelSelector, signal) => client.request('GET', `${core(namespace, 'pods')}?labelSelector=${segment(labelSelector)}`, { signal }),
    readPodLog: (namespace, name, { container, tailLines }, signal) =>
      client.request('GET', `${core(namespace, 'pods')}/${segment(name)}/log?container=${segment(container)}&tailLines=${tailLines}`, { signal, answer: 'text' }),
    readSecret: (namespace, name, signal) => client.request('GET', `${core(namespace, 'secrets')}/${segment(name)}`, { signal }),
  };
}

/** The checks' calls of each configured cluster by name (absent: the default), over the same clients as the deploys'. */
export function createCheckApis(config: KubernetesConfig, options: ClusterGatewayOptions = {}): (cluster?: string) => CheckApi {
  const clusters = createClusterClients(config, options);
  return cachedByName(clusters.names, (name) => restCheckApi(clusters.client(name)));
}
