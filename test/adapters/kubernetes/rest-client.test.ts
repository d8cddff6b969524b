import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterDirectory, KubernetesApiError, KubernetesRestClient, readKubeconfig, restWorkloadApi, type WorkloadApi } from '../../../functions/adapters/kubernetes';
import { httpStatus, noAnswer } from '../../../functions/adapters/kubernetes/api-errors';
import { readKubernetesConfig } from '../../../functions/config';
import { freePort } from '../../../local/free-port';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../../local/k8s-simulator';
import { createSelfSignedCertificate } from '../../../local/k8s-simulator/tls';

const TOKEN = 'rest-client-token';
const image = (c: string) => `registry.example/shop@sha256:${c.repeat(64)}`;
const failure = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('expected the request to fail'),
    (e: unknown) => e as Error,
  );

/** A client for the first context of a kubeconfig text, read the way createClusterDirectory reads it. */
async function clientFor(dir: string, yaml: string): Promise<KubernetesRestClient> {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, yaml);
  const file = readKubeconfig(path);
  return new KubernetesRestClient(file.connection(file.names[0]!));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8s-rest-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('KubernetesRestClient against the simulator', () => {
  let sim: KubernetesSimulator;
  let client: KubernetesRestClient;
  let api: WorkloadApi;
  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 0 });
    client = await clientFor(dir, kubeconfigYaml(sim.url, TOKEN));
    api = restWorkloadApi(client);
  });
  afterAll(async () => {
    client.close();
    await sim.close();
  });

  it('reads and replaces a Deployment, and refuses a stale one with 409', async () => {
    sim.seedDeployment({ namespace: 'rest', name: 'web', container: 'app', image: image('a') });
    const read = await api.readDeployment('rest', 'web');
    expect(read.spec?.template.spec?.containers[0]?.image).toBe(image('a'));
    const stale = structuredClone(read);
    read.spec!.template.spec!.containers[0]!.image = image('b');
    const replaced = await api.replaceDeployment('rest', 'web', read);
    expect(replaced.spec?.template.spec?.containers[0]?.image).toBe(image('b'));
    expect(replaced.metadata?.resourceVersion).not.toBe(stale.metadata?.resourceVersion);
    expect((await api.readDeployment('rest', 'web')).metadata?.generation).toBe(2);

    const conflict = await failure(api.replaceDeployment('rest', 'web', stale));
    expect(conflict).toBeInstanceOf(KubernetesApiError);
    expect(httpStatus(conflict)).toBe(409);
    expect(noAnswer(conflict, 1000)).toBeUndefined(); // answered: for the caller to handle
    expect(JSON.parse((conflict as KubernetesApiError).body)).toMatchObject({ kind: 'Status', code: 409, reason: 'Conflict' });
    expect(conflict.message).toMatch(/^PUT \/apis\/apps\/v1\/namespaces\/rest\/deployments\/web: HTTP 409 Conflict: /);
  });

  it('reads, creates and replaces a ConfigMap; 404 and 409 are answers', async () => {
    sim.seedDeployment({ namespace: 'rest', name: 'cm-owner', container: 'app', image: image('a') });
    const missing = await failure(api.readConfigMap('rest', 'settings'));
    expect(httpStatus(missing)).toBe(404);
    expect(missing.message).toMatch(/HTTP 404 Not Found: configmaps "settings" not found/);
    const body: V1ConfigMap = { metadata: { name: 'settings', namespace: 'rest' }, data: { a: '1' } };
    expect((await api.createConfigMap('rest', body)).data).toEqual({ a: '1' });
    expect(httpStatus(await failure(api.createConfigMap('rest', body)))).toBe(409); // AlreadyExists
    const live = await api.readConfigMap('rest', 'settings');
    live.data = { a: '2', 'b.yaml': 'x: "é"\n' };
    await api.replaceConfigMap('rest', 'settings', live);
    expect((await api.readConfigMap('rest', 'settings')).data).toEqual({ a: '2', 'b.yaml': 'x: "é"\n' });
  });

  it('sends the bearer token: another token is refused with 401', async () => {
    const stranger = await clientFor(dir, kubeconfigYaml(sim.url, 'not-the-token'));
    try {
      expect(httpStatus(await failure(restWorkloadApi(stranger).readDeployment('rest', 'web')))).toBe(401);
    } finally {
      stranger.close();
    }
  });

  it('rejects with the socket error when the server drops the request', async () => {
    sim.seedDeployment({ namespace: 'rest', name: 'dropped', container: 'app', image: image('a') });
    sim.setFaults({ unreachable: true });
    try {
      const error = await failure(api.readDeployment('rest', 'dropped'));
      expect(noAnswer(error, 1000)).toEqual({ reason: 'connection reset, ECONNRESET', retry: true });
    } finally {
      sim.clearFaults();
    }
    expect((await api.readDeployment('rest', 'dropped')).metadata?.name).toBe('dropped'); // the pool recovers
  });
});

describe('KubernetesRestClient over the wire', () => {
  const seen: { url: string; connection: number; authorization?: string }[] = [];
  const connectionIds = new WeakMap<object, number>();
  let connections = 0;
  let hang = false;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ url: req.url ?? '', connection: connectionIds.get(req.socket) ?? 0, authorization: req.headers.authorization });
    if (hang) return; // never answers
    const deployment: V1Deployment = { metadata: { name: 'web' } };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(deployment));
  });
  server.on('connection', (socket) => connectionIds.set(socket, (connections += 1)));
  let url: string;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('keeps the connection alive between requests, and keeps the server URL path as a prefix', async () => {
    seen.length = 0;
    const client = new KubernetesRestClient({ server: `${url}/clusters/eu/`, token: () => 't' });
    try {
      await client.request('GET', '/apis/apps/v1/namespaces/a%2Fb/deployments/web');
      await client.request('GET', '/api/v1/namespaces/x/configmaps/y');
    } finally {
      client.close();
    }
    expect(seen.map((s) => s.url)).toEqual(['/clusters/eu/apis/apps/v1/namespaces/a%2Fb/deployments/web', '/clusters/eu/api/v1/namespaces/x/configmaps/y']);
    expect(new Set(seen.map((s) => s.connection)).size).toBe(1);
    expect(seen.every((s) => s.authorization === 'Bearer t')).toBe(true);
  });

  it('gives up when the signal aborts, with the signal reason (our timeout)', async () => {
    hang = true;
    const client = new KubernetesRestClient({ server: url });
    try {
      const started = Date.now();
      const error = await failure(restWorkloadApi(client).readDeployment('shop', 'web', AbortSignal.timeout(100)));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.name).toBe('TimeoutError');
      expect(noAnswer(error, 100)).toEqual({ reason: 'no answer within 0.1s', retry: true });
    } finally {
      hang = false;
      client.close();
    }
  });
});

describe('KubernetesRestClient over TLS', () => {
  let sim: KubernetesSimulator;
  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 0, tls: true });
    sim.seedDeployment({ namespace: 'tls', name: 'web', container: 'app', image: image('c') });
  });
  afterAll(() => sim.close());

  const readImage = async (yaml: string) => {
    const client = await clientFor(dir, yaml);
    try {
      return (await restWorkloadApi(client).readDeployment('tls', 'web')).spec?.template.spec?.containers[0]?.image;
    } finally {
      client.close();
    }
  };

  it('trusts the certificate-authority-data of the kubeconfig', async () => {
    expect(await readImage(kubeconfigYaml(sim.url, TOKEN, sim.caCertificate))).toBe(image('c'));
  });

  it('refuses the server without it, as a TLS failure that retrying will not fix', async () => {
    const yaml = kubeconfigYaml(sim.url, TOKEN, sim.caCertificate).replace(/certificate-authority-data: .*/, 'server-comment: "no CA"');
    const why = noAnswer(await failure(readImage(yaml)), 1000);
    expect(why?.reason).toMatch(/^TLS: (SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
    expect(why?.retry).toBe(false);
  });

  it('accepts any certificate with insecure-skip-tls-verify', async () => {
    expect(await readImage(kubeconfigYaml(sim.url, TOKEN))).toBe(image('c'));
  });
});

describe('createClusterDirectory over CLUSTERS (EKS) on the wire', () => {
  const serverCert = createSelfSignedCertificate('127.0.0.1', 'eks-test');
  const authorizations: string[] = [];
  const server = createHttpsServer({ key: serverCert.key, cert: serverCert.cert }, (req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    const deployment: V1Deployment = { metadata: { name: 'web' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: image('e') }] } } } };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(deployment));
  });
  afterAll(() => closeServer(server));

  it('trusts only the cluster CA and signs each request with an EKS token bound to the cluster', async () => {
    const endpoint = `https://127.0.0.1:${await listen(server)}`;
    const config = readKubernetesConfig({
      CLUSTERS: JSON.stringify([{ name: 'eu', eksClusterName: 'prod-eu', endpoint, certificateAuthority: Buffer.from(serverCert.cert).toString('base64') }]),
    });
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const gateway = createClusterDirectory(config, { awsRegion: 'eu-west-1', credentials }).gateway('eu');
    expect(await gateway.readImage({ namespace: 'shop', deployment: 'web', container: 'app' })).toBe(image('e'));
    const [authorization] = authorizations;
    expect(authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const presigned = new URL(Buffer.from(authorization!.slice('Bearer k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    expect(presigned.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-k8s-aws-id');
    expect(presigned.searchParams.get('X-Amz-Credential')).toContain('/eu-west-1/sts/');
  });
});
