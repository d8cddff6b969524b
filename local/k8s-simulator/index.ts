/**
 * A small Kubernetes API server simulator for local runs and tests: enough of
 * the REST API for @kubernetes/client-node and kubectl (discovery, namespaces,
 * configmaps, secrets, deployments with their ReplicaSets and pods, jobs,
 * events, pod logs, watches, server-side tables, the scale subresource), with
 * bearer-token auth and simulated controllers. See README.md beside this file.
 *
 * Making a rollout fail:
 *  - any image whose reference contains `fail-rollout`;
 *  - images listed in the `failingImages` option;
 *  - images set at run time with `PUT /_simulator/failing-images`
 *    `{"images": ["repo@sha256:…"]}` (bearer token required; `GET` reads the list),
 *    or `setFailingImages()` on the returned handle.
 *
 * Making a Job fail: an image whose reference contains `fail-check`.
 *
 * Injecting faults: `PUT /_simulator/faults` (`unreachable`, `unreachableFor`,
 * `conflicts`; see faults.ts) or `setFaults()` / `clearFaults()` on the handle.
 *
 * Several clusters: `startKubernetesSimulators(names, options)` and
 * `writeCombinedKubeconfig(path, clusters, currentContext)` (clusters.ts).
 */
export {
  FAILING_IMAGE_MARKER,
  type KubeconfigOptions,
  type KubernetesSimulator,
  type KubernetesSimulatorOptions,
  type SeedDeploymentInput,
  startKubernetesSimulator,
} from './simulator';
export { type NamedSimulator, startKubernetesSimulators, writeCombinedKubeconfig } from './clusters';
export { FAILING_IMAGES_PATH, FAULTS_PATH } from './routes';
export { FAILING_CHECK_MARKER } from './jobs';
export type { SimulatorFaults } from './faults';
export { type KubeconfigCluster, kubeconfigYaml, kubeconfigYamlFor } from './kubeconfig';
export type { Deployment, Job, KubeObject, Pod, ReplicaSet } from './resources';
