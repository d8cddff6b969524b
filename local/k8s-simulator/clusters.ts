import { kubeconfigYamlFor, writeKubeconfigText } from './kubeconfig';
import { type KubernetesSimulator, type KubernetesSimulatorOptions, startKubernetesSimulator } from './simulator';

/** One simulator of several, under the name its kubeconfig context takes. */
export interface NamedSimulator {
  name: string;
  simulator: KubernetesSimulator;
}

/**
 * Starts one simulator per name (each on its own port, with its own state and,
 * with `tls`, its own certificate), for tests of several clusters. `options`
 * is shared, or a function of the name for per-cluster tokens or state files;
 * shared options may not name a statePath or fixed port, which the clusters
 * would fight over. If one fails to start, those already started are closed.
 */
export async function startKubernetesSimulators(
  names: string[],
  options: KubernetesSimulatorOptions | ((name: string) => KubernetesSimulatorOptions),
): Promise<NamedSimulator[]> {
  if (new Set(names).size !== names.length) throw new Error(`k8s simulator: cluster names must be unique (${names.join(', ')})`);
  if (typeof options === 'object' && names.length > 1 && (options.statePath || options.port)) {
    throw new Error('k8s simulator: give each cluster its own statePath and port (pass options as a function of the name)');
  }
  const started: NamedSimulator[] = [];
  try {
    for (const name of names) {
      started.push({ name, simulator: await startKubernetesSimulator(typeof options === 'function' ? options(name) : options) });
    }
  } catch (error) {
    await Promise.allSettled(started.map(({ simulator }) => simulator.close()));
    throw error;
  }
  return started;
}

/**
 * Writes one kubeconfig with a cluster, user and context per simulator, each
 * named as given, so that `kubectl --context us …` targets that simulator.
 * The current context is `currentContext`, by default the first.
 */
export async function writeCombinedKubeconfig(path: string, clusters: NamedSimulator[], currentContext?: string, namespace?: string): Promise<void> {
  if (clusters.length === 0) throw new Error('writeCombinedKubeconfig: no clusters');
  const entries = clusters.map(({ name, simulator }) => simulator.kubeconfigCluster(name, namespace));
  await writeKubeconfigText(path, kubeconfigYamlFor(entries, currentContext ?? clusters[0]!.name));
}
