import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import type { KubernetesRestClient } from './rest-client';

/**
 * The Kubernetes calls the cluster gateway makes, and nothing more: read and
 * replace a namespaced Deployment (apps/v1), read, create and replace a
 * namespaced ConfigMap (v1). Objects are @kubernetes/client-node's types
 * (types only: nothing of the library is loaded). Each call takes the signal
 * that aborts it (the ApiCaller's timeout).
 */
export interface WorkloadApi {
  readDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<V1Deployment>;
  replaceDeployment(namespace: string, name: string, body: V1Deployment, signal?: AbortSignal): Promise<V1Deployment>;
  readConfigMap(namespace: string, name: string, signal?: AbortSignal): Promise<V1ConfigMap>;
  createConfigMap(namespace: string, body: V1ConfigMap, signal?: AbortSignal): Promise<V1ConfigMap>;
  replaceConfigMap(namespace: string, name: string, body: V1ConfigMap, signal?: AbortSignal): Promise<V1ConfigMap>;
}

const segment = encodeURIComponent;
const deployments = (namespace: string) => `/apis/apps/v1/namespaces/${segment(namespace)}/deployments`;
const configMaps = (namespace: string) => `/api/v1/namespaces/${segment(namespace)}/configmaps`;

/** WorkloadApi over the REST API. The same requests whatever the server: EKS, kind, the local simulator. */
export function restWorkloadApi(client: KubernetesRestClient): WorkloadApi {
  return {
    readDeployment: (namespace, name, signal) => client.request('GET', `${deployments(namespace)}/${segment(name)}`, { signal }),
    replaceDeployment: (namespace, name, body, signal) => client.request('PUT', `${deployments(namespace)}/${segment(name)}`, { body, signal }),
    readConfigMap: (namespace, name, signal) => client.request('GET', `${configMaps(namespace)}/${segment(name)}`, { signal }),
    createConfigMap: (namespace, body, signal) => client.request('POST', configMaps(namespace), { body, signal }),
    replaceConfigMap: (namespace, name, body, signal) => client.request('PUT', `${configMaps(namespace)}/${segment(name)}`, { body, signal }),
  };
}
