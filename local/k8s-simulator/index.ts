/**
 * A small Kubernetes API server simulator for local runs and tests: enough of
 * the REST API for @kubernetes/client-node and `kubectl get` (discovery,
 * namespaces, apps/v1 deployments, configmaps), with bearer-token auth and a
 * rollout controller. See README.md beside this file.
 *
 * Making a rollout fail:
 *  - any image whose reference contains `fail-rollout`;
 *  - images listed in the `failingImages` option;
 *  - images set at run time with `PUT /_simulator/failing-images`
 *    `{"images": ["repo@sha256:…"]}` (bearer token required; `GET` reads the list),
 *    or `setFailingImages()` on the returned handle.
 *
 * Injecting faults: `PUT /_simulator/faults` (`unreachable`, `unreachableFor`,
 * `conflicts`; see faults.ts) or `setFaults()` / `clearFaults()` on the handle.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RolloutController } from './controller';
import { FaultSwitch, type SimulatorFaults } from './faults';
import { writeKubeconfigFile } from './kubeconfig';
import { type Deployment, RESOURCES, validateAndDefault } from './resources';
import { createRequestHandler } from './routes';
import { ObjectStore } from './store';
import { createSelfSignedCertificate } from './tls';

export { FAILING_IMAGES_PATH, FAULTS_PATH } from './routes';
export type { SimulatorFaults } from './faults';
export { kubeconfigYaml } from './kubeconfig';
export type { Deployment, KubeObject } from './resources';

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

export interface KubernetesSimulator {
  /** http://host:port, or https://… with `tls`. */
  url: string;
  port: number;
  token: string;
  /** With `tls`: the PEM certificate clients must trust (it is its own CA). */
  caCertificate?: string;
  close(): Promise<void>;
  /** Writes a kubeconfig (cluster, token user, context) pointing at this simulator. */
  writeKubeconfig(path: string): Promise<void>;
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
  const controller = new RolloutController(store, {
    rolloutDelayMs: options.rolloutDelayMs ?? 300,
    progressDeadlineMs: options.progressDeadlineMs ?? 2000,
    isFailing: (image) => image.includes(FAILING_IMAGE_MARKER) || failing.has(image),
  });
  ensureNamespace(store, 'default');

  const faults = new FaultSwitch();
  const context = { store, controller, token: options.token, serverAddress: '', failingImages: failing, faults, log: options.log };
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
  controller.resume();

  return {
    url,
    port,
    token: options.token,
    caCertificate: certificate?.cert,
    async close() {
      controller.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    writeKubeconfig: (path) => writeKubeconfigFile(path, url, options.token, certificate?.cert),
    seedDeployment(input) {
      ensureNamespace(store, input.namespace);
      const existing = store.get(RESOURCES.deployments, input.namespace, input.name);
      if (existing) return existing as Deployment;
      const created = store.create(RESOURCES.deployments, validateAndDefault(RESOURCES.deployments, deploymentManifest(input)));
      controller.complete(created as Deployment);
      return store.getOrThrow(RESOURCES.deployments, input.namespace, input.name) as Deployment;
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
