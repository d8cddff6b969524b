import type { KubernetesSimulator } from './k8s-simulator';
import { DEMO_APP, DEMO_INITIAL_IMAGE } from './seed';

/**
 * The simulated clusters of the local stack, each a context of
 * `.gatekeeper/kubeconfig` named after it. The first is the current context and
 * so Gatekeeper's default cluster: environments that name no cluster live there.
 */
export const LOCAL_CLUSTERS = ['eu', 'us'] as const;
export type LocalCluster = (typeof LOCAL_CLUSTERS)[number];

/** The second demo app: staging and prod-eu in the eu cluster, prod-us in the us cluster. */
export const HELLO_API = 'hello-api';
/** What every hello-api environment runs before the first release. */
export const HELLO_API_INITIAL_IMAGE = `registry.example.com/hello-api@sha256:${'0'.repeat(63)}1`;

export interface DemoWorkload {
  cluster: LocalCluster;
  namespace: string;
  name: string;
  container: string;
  image: string;
  replicas: number;
}

/** The Deployments the demo apps' environments point at, in the cluster each environment names. */
export function demoWorkloads(): DemoWorkload[] {
  const helloWeb = (namespace: string): DemoWorkload => ({ cluster: 'eu', namespace, name: DEMO_APP, container: 'web', image: DEMO_INITIAL_IMAGE, replicas: 2 });
  const helloApi = (cluster: LocalCluster, namespace: string): DemoWorkload => ({ cluster, namespace, name: HELLO_API, container: 'api', image: HELLO_API_INITIAL_IMAGE, replicas: 2 });
  return [
    helloWeb('staging'),
    helloWeb('prod'),
    helloApi('eu', 'hello-api-staging'), // staging
    helloApi('eu', 'hello-api-prod'), // prod-eu
    helloApi('us', 'hello-api-prod'), // prod-us
  ];
}

/** Creates each missing demo Deployment, fully rolled out, in its cluster; leaves existing ones (a restart) alone. */
export function seedDemoWorkloads(clusters: Record<LocalCluster, KubernetesSimulator>): void {
  for (const { cluster, ...workload } of demoWorkloads()) clusters[cluster].seedDeployment(workload);
}
