import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FaultSwitch, type SimulatorFaults } from './faults';
import { DEFAULT_CONTEXT, type KubeconfigCluster, kubeconfigYamlFor, writeKubeconfigText } from './kubeconfig';
import { type Deployment, RESOURCES } from './resources';
import { createRequestHandler, type RouteContext } from './routes';
import { ObjectStore } from './store';
import { createSelfSignedCertificate } from './tls';
import { validateAndDefault } from './validation';
import { WatchHub } from './watch';
import { Workloads } from './workloads';

/** Images containing this substring always fail their rollout. */
export const FAILING_IMAGE_MARKER = 'fail-rollout';

export interface KubernetesSimulatorOptions {
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The bearer token every API request must carry. */
  token: string;
  /** Time from a spec change to a completed rollout. Default 300; 0 completes on the next tick. */
  rolloutDelayMs?: number;
  /** Time from a spec change until a failing rollout reports ProgressDeadlineExceeded. Default 2000. */
  progressDeadlineMs?: number;
  failingImages?: string[];
  /** How long a Job's pod runs before the Job completes (or fails, for `fail-check` images). Default 200. */
  jobDurationMs?: number;
  /** JSON file to load the state from at start and write after every change. */
  statePath?: string;
  /** Called with one line per mutating request. */
  log?: (line: string) => void;
  /**
   * Serve HTTPS with an ephemeral self-signed certificate (default false: plain
   * HTTP). kubectl needs this: client-go never sends a token to an http:// server.
   */
  tls?: boolean;
}

export interface SeedDeploymentInput {
  namespace: string;
  name: string;
  container: string;
  image: string;
  replicas?: number;
}

export interface KubeconfigOptions {
  /** Name of the cluster, user and context. Default gatekeeper-simulator. */
  contextName?: string;
  /** The context's default namespace. Default "default". */
  namespace?: string;
}

export interface KubernetesSimulator {
  /** http://host:port, or https://… with `tls`. */
  url: string;
  port: number;
  token: string;
  /** With `tls`: the PEM certificate clients must trust (it is its own CA). */
  caCertificate?: string;
  close(): Promise<void>;
  /** Writes a kubeconfig (cluster, token user, context) pointing at this simulator. */
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<void>;
  /** This simulator as one cluster of a kubeconfig (see writeCombinedKubeconfig). */
  kubeconfigCluster(name: string, namespace?: string): KubeconfigCluster;
  /** Creates the namespace if missing and a fully rolled-out Deployment; leaves an existing Deployment alone. */
  seedDeployment(input: SeedDeploymentInput): Deployment;
  /** Replaces the run-time list of failing images (same as PUT /_simulator/failing-images). */
  setFailingImages(images: string[]): void;
  failingImages(): string[];
  /**
   * Replaces the injected faults (same as PUT /_simulator/faults): a fault left
   * out is off. Throws on an invalid value.
   */
  setFaults(faults: SimulatorFaults): void;
  /** Switches every fault off (same as DELETE /_simulator/faults). */
  clearFaults(): void;
  /** The faults in force, with what is left of the counters. */
  faults(): Required<SimulatorFaults>;
}

export async function startKubernetesSimulator(options: KubernetesSimulatorOptions): Promise<KubernetesSimulator> {
  const host = options.host ?? '127.0.0.1';
  const failing = new Set(options.failingImages ?? []);
  const store = new ObjectStore(options.statePath);
  const faults = new FaultSwitch();
  const workloads = new Workloads(store, {
    rolloutDelayMs: options.rolloutDelayMs ?? 300,
    progressDeadlineMs: options.progressDeadlineMs ?? 2000,
    jobDurationMs: options.jobDurationMs ?? 200,
    isFailing: (image) => image.includes(FAILING_IMAGE_MARKER) || failing.has(image),
  });
  const watches = new WatchHub(store, () => faults.current().unreachable);
  ensureNamespace(store, 'default');

  const context: RouteContext = { store, workloads, watches, token: options.token, serverAddress: '', failingImages: failing, faults, log: options.log };
  const handler = createRequestHandler(context);
  const certificate = options.tls ? createSelfSignedCertificate(host) : undefined;
  const server = certificate ? createHttpsServer(certificate, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${certificate ? 'https' : 'http'}://${urlHost}:${port}`;
  context.serverAddress = `${urlHost}:${port}`;
  workloads.resume();

  const kubeconfigCluster = (name: string, namespace?: string): KubeconfigCluster => ({ name, server: url, token: options.token, caCertificate: certificate?.cert, namespace });
  return {
    url,
    port,
    token: options.token,
    caCertificate: certificate?.cert,
    async close() {
      workloads.close();
      watches.closeAll();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    kubeconfigCluster,
    async writeKubeconfig(path, { contextName = DEFAULT_CONTEXT, namespace } = {}) {
      await writeKubeconfigText(path, kubeconfigYamlFor([kubeconfigCluster(contextName, namespace)], contextName));
    },
    seedDeployment(input) {
      ensureNamespace(store, input.namespace);
      const existing = store.get(RESOURCES.deployments, input.namespace, input.name);
      if (existing) return existing as Deployment;
      return store.batch(() => {
        const created = store.create(RESOURCES.deployments, validateAndDefault(RESOURCES.deployments, deploymentManifest(input)));
        workloads.rollouts.complete(created as Deployment);
        return store.getOrThrow(RESOURCES.deployments, input.namespace, input.name) as Deployment;
      });
    },
    setFailingImages(images) {
      failing.clear();
      for (const image of images) failing.add(image);
    },
    failingImages: () => [...failing].sort(),
    setFaults(wanted) {
      faults.set(wanted);
    },
    clearFaults() {
      faults.clear();
    },
    faults: () => faults.current(),
  };
}

function ensureNamespace(store: ObjectStore, name: string): void {
  if (store.get(RESOURCES.namespaces, undefined, name)) return;
  store.create(RESOURCES.namespaces, validateAndDefault(RESOURCES.namespaces, { metadata: { name } }));
}

function deploymentManifest({ namespace, name, container, image, replicas = 1 }: SeedDeploymentInput) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: container, image }] } },
    },
  };
}
