import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterGatewayOptions, createClusterDirectory, KubernetesApiError, KubernetesClusterGateway, type WorkloadApi } from '../../functions/adapters/kubernetes';
import { readKubernetesConfig } from '../../functions/config';
import type { ClusterGateway, DeploymentTarget } from '../../functions/domain/cluster';
import { ClusterUnreachableError, ConflictError, DeploymentNotFoundError, RolloutFailedError } from '../../functions/domain/errors';
import { freePort } from '../../local/free-port';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

const TOKEN = 'faults-adapter-token';
const image = (c: string) => `registry.example/shop@sha256:${c.repeat(64)}`;
/** Small limits so that failures are quick. */
const QUICK: ClusterGatewayOptions = { requestTimeoutMs: 1000, transportAttempts: 3, transportRetryDelayMs: 5, conflictBackoffMs: { min: 1, max: 5 } };
const ROLLOUT = { timeoutMs: 3000, pollIntervalMs: 20 };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const caught = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e as Error,
  );

/** A gateway over a kubeconfig file for `server` (http: skips TLS verification, as the simulator's kubeconfig does). */
async function gatewayFor(dir: string, server: string, options: ClusterGatewayOptions = QUICK, caCertificate?: string): Promise<ClusterGateway> {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, kubeconfigYaml(server, TOKEN, caCertificate));
  return createClusterDirectory(readKubernetesConfig({ KUBECONFIG_PATH: path }), options).gateway();
}

describe('KubernetesClusterGateway when the cluster does not answer', () => {
  let sim: KubernetesSimulator;
  let gateway: ClusterGateway;
  let dir: string;
  let n = 0;
  const seed = (replicas = 1): DeploymentTarget => {
    const target = { namespace: 'faults', deployment: `web-${(n += 1)}`, container: 'app' };
    sim.seedDeployment({ namespace: target.namespace, name: target.deployment, container: 'app', image: image('a'), replicas });
    return target;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-faults-adapter-'));
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 20, progressDeadlineMs: 300, tls: true });
    gateway = await gatewayFor(dir, sim.url, QUICK, sim.caCertificate);
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => sim.clearFaults());

  it('throws ClusterUnreachableError naming the API server from every method while unreachable', async () => {
    const target = seed();
    sim.setFaults({ unreachable: true });
    const expected = new RegExp(`^the Kubernetes API at ${escape(sim.url)} did not answer \\(connection reset, ECONNRESET\\)`);
    const calls: [string, () => Promise<unknown>][] = [
      ['readImage', () => gateway.readImage(target)],
      ['readWorkload', () => gateway.readWorkload(target)],
      ['readConfig', () => gateway.readConfig(target)],
      ['setImage', () => gateway.setImage(target, image('b'))],
      ['applyConfig', () => gateway.applyConfig(target, { replicas: 2, configMap: { a: '1' } }, 'h')],
      ['waitForRollout', () => gateway.waitForRollout(target, { timeoutMs: 100, pollIntervalMs: 20 })],
    ];
    for (const [name, call] of calls) {
      const error = await caught(call());
      expect(error, name).toBeInstanceOf(ClusterUnreachableError);
      expect(error.name, name).toBe('ClusterUnreachable');
      expect(error.message, name).toMatch(expected);
    }
    sim.clearFaults();
    expect(await gateway.readImage(target)).toBe(image('a')); // nothing was written
  });

  it('waitForRollout gives up with ClusterUnreachableError, not RolloutFailed, when the API stops answering mid-rollout', async () => {
    const target = seed();
    await gateway.setImage(target, image('c'));
    sim.setFaults({ unreachable: true });
    const error = await caught(gateway.waitForRollout(target, { timeoutMs: 150, pollIntervalMs: 20 }));
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error).not.toBeInstanceOf(RolloutFailedError);
    expect(error.message).toMatch(new RegExp(`^the Kubernetes API at ${escape(sim.url)} did not answer \\(.+\\).*rollout of faults/${target.deployment}`));
  });

  it('waitForRollout keeps polling through an outage longer than the retries of one call', async () => {
    const target = seed();
    await gateway.setImage(target, image('c'));
    sim.setFaults({ unreachableFor: 7 }); // two whole polls (3 attempts each) go unanswered, the third gets through
    expect((await gateway.waitForRollout(target, ROLLOUT)).image).toBe(image('c'));
    expect(sim.faults().unreachableFor).toBe(0);
  });

  it('retries inside the call when the API misses a few requests, then succeeds', async () => {
    const target = seed();
    sim.setFaults({ unreachableFor: 2 });
    expect(await gateway.readImage(target)).toBe(image('a'));
    sim.setFaults({ unreachableFor: 2 });
    expect(await gateway.readWorkload(target)).toEqual({ image: image('a') });
    sim.setFaults({ unreachableFor: 2 });
    expect(await gateway.setImage(target, image('d'))).toEqual({ previousImage: image('a') });
    sim.setFaults({ unreachableFor: 2 });
    expect((await gateway.waitForRollout(target, ROLLOUT)).image).toBe(image('d'));
    sim.setFaults({ unreachableFor: 2 });
    expect((await gateway.applyConfig(target, { replicas: 2, configMap: { k: 'v' } }, 'h1')).previous).toEqual({ replicas: 1 });
    expect(sim.faults().unreachableFor).toBe(0);
  });

  it('re-reads and re-applies on write conflicts, and succeeds within its attempts', async () => {
    const target = seed();
    sim.setFaults({ conflicts: 3 });
    expect(await gateway.setImage(target, image('e'))).toEqual({ previousImage: image('a') });
    expect(await gateway.readImage(target)).toBe(image('e'));
    // The ConfigMap (create, then replace) and the Deployment write share the injected conflicts.
    sim.setFaults({ conflicts: 2 });
    await gateway.applyConfig(target, { configMap: { k: '1' } }, 'h1');
    sim.setFaults({ conflicts: 4 });
    const result = await gateway.applyConfig(target, { replicas: 3, configMap: { k: '2' } }, 'h2');
    expect(result).toEqual({ previous: { replicas: 1, configMap: { k: '1' } }, previousHash: 'h1' });
    expect(await gateway.readConfig(target)).toMatchObject({ config: { replicas: 3, configMap: { k: '2' } }, hash: 'h2' });
    expect(sim.faults().conflicts).toBe(0);
  });

  it('throws ConflictError when the writes keep conflicting', async () => {
    const target = seed();
    const stubborn = await gatewayFor(dir, sim.url, { ...QUICK, conflictAttempts: 3 }, sim.caCertificate);
    sim.setFaults({ conflicts: 100 });
    const error = await caught(stubborn.setImage(target, image('f')));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.name).toBe('Conflict');
    expect(error.message).toBe(
      `updating deployment faults/${target.deployment}: the object was modified by another writer on each of 3 attempts (409 Conflict); try again`,
    );
    expect(sim.faults().conflicts).toBe(97);

    sim.clearFaults();
    await stubborn.applyConfig(target, { configMap: { a: '1' } }, 'h');
    sim.setFaults({ conflicts: 100 });
    const cm = await caught(stubborn.applyConfig(target, { configMap: { a: '2' } }, 'h'));
    expect(cm).toBeInstanceOf(ConflictError);
    expect(cm.message).toMatch(new RegExp(`^updating configmap faults/${target.deployment}-config: `));
    expect(sim.faults().conflicts).toBe(97); // the Deployment needed no write
    sim.clearFaults();
    expect(await stubborn.readImage(target)).toBe(image('a'));
    expect((await stubborn.readConfig(target)).config.configMap).toEqual({ a: '1' });
  });

  it('lets two concurrent setImage calls on one Deployment both succeed', async () => {
    const target = seed();
    const results = await Promise.all([gateway.setImage(target, image('1')), gateway.setImage(target, image('2'))]);
    const final = await gateway.readImage(target);
    expect([image('1'), image('2')]).toContain(final);
    // One replaced the seeded image, the other the first one's.
    const loser = final === image('1') ? image('2') : image('1');
    expect(results.map((r) => r.previousImage).sort()).toEqual([image('a'), loser].sort());
  });

  it('reads the workload: the managed image and the config-hash annotation', async () => {
    const target = seed();
    expect(await gateway.readWorkload(target)).toEqual({ image: image('a') });
    await gateway.applyConfig(target, { replicas: 2 }, 'hash-7');
    await gateway.setImage(target, image('9'));
    expect(await gateway.readWorkload(target)).toEqual({ image: image('9'), configHash: 'hash-7' });
    await expect(gateway.readWorkload({ ...target, deployment: 'nope' })).rejects.toThrow(DeploymentNotFoundError);
    await expect(gateway.readWorkload({ ...target, container: 'sidecar' })).rejects.toThrow(/has no container "sidecar"/);
  });
});

describe('KubernetesClusterGateway against a port nobody listens on, or a server that never answers', () => {
  let dir: string;
  const target = { namespace: 'x', deployment: 'web', container: 'app' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-closed-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('throws ClusterUnreachableError for a closed port', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const gateway = await gatewayFor(dir, url);
    for (const call of [() => gateway.readImage(target), () => gateway.setImage(target, 'x'), () => gateway.waitForRollout(target, { timeoutMs: 50, pollIntervalMs: 10 })]) {
      const error = await caught(call());
      expect(error).toBeInstanceOf(ClusterUnreachableError);
      expect(error.message).toMatch(new RegExp(`^the Kubernetes API at ${escape(url)} did not answer \\(connection refused, ECONNREFUSED\\)`));
    }
  });

  it('gives up on a hung server after the request timeout', async () => {
    const hung = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      const gateway = await gatewayFor(dir, url, { ...QUICK, requestTimeoutMs: 100, transportAttempts: 2 });
      const started = Date.now();
      const error = await caught(gateway.readWorkload(target));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(ClusterUnreachableError);
      expect(error.message).toMatch(new RegExp(`^the Kubernetes API at ${escape(url)} did not answer \\(no answer within 0\\.1s\\)`));
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});

describe('KubernetesClusterGateway error translation (fake API)', () => {
  const target = { namespace: 'shop', deployment: 'web', container: 'app' };
  const SERVER = 'https://cluster.example:6443';
  const deployment = (img: string, resourceVersion = '1'): V1Deployment => ({
    metadata: { name: 'web', namespace: 'shop', resourceVersion },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: img }] } } },
  });
  const httpError = (code: number) => new KubernetesApiError(code, '', 'GET /apis/apps/v1/namespaces/shop/deployments/web');
  // What node:http rejects with when the server did not answer: the socket's error.
  const networkError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  const options = { ...QUICK, server: SERVER, sleep: async () => {} };

  it('retries 5xx and 429 inside the call, then reports the status', async () => {
    let reads = 0;
    const flaky = { readDeployment: async () => ((reads += 1) < 3 ? Promise.reject(httpError(503)) : deployment('img')) } as unknown as WorkloadApi;
    expect(await new KubernetesClusterGateway(flaky, options).readImage(target)).toBe('img');
    expect(reads).toBe(3);

    const throttled = { readDeployment: async () => Promise.reject(httpError(429)) } as unknown as WorkloadApi;
    const error = await caught(new KubernetesClusterGateway(throttled, options).readImage(target));
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toBe(
      `the Kubernetes API at ${SERVER} did not answer (HTTP 429 Too Many Requests); reading deployment shop/web failed after 3 attempts`,
    );
  });

  it('names DNS and TLS failures, and does not retry a refused certificate', async () => {
    const dns = { readDeployment: async () => Promise.reject(networkError('ENOTFOUND')) } as unknown as WorkloadApi;
    expect((await caught(new KubernetesClusterGateway(dns, options).readImage(target))).message).toMatch(/did not answer \(host name not found, ENOTFOUND\)/);
    let attempts = 0;
    const tls = {
      readDeployment: async () => {
        attempts += 1;
        throw networkError('CERT_HAS_EXPIRED');
      },
    } as unknown as WorkloadApi;
    const error = await caught(new KubernetesClusterGateway(tls, options).readImage(target));
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toMatch(/did not answer \(TLS: CERT_HAS_EXPIRED\)/);
    expect(attempts).toBe(1);
  });

  it('leaves other API errors alone', async () => {
    const forbidden = { readDeployment: async () => Promise.reject(httpError(403)) } as unknown as WorkloadApi;
    await expect(new KubernetesClusterGateway(forbidden, options).readImage(target)).rejects.toMatchObject({ code: 403 });
    const missing = { readDeployment: async () => Promise.reject(httpError(404)) } as unknown as WorkloadApi;
    await expect(new KubernetesClusterGateway(missing, options).readWorkload(target)).rejects.toThrow(DeploymentNotFoundError);
  });

  it('translates ConfigMap failures the same way', async () => {
    const k8s = { readDeployment: async () => deployment('img'), readConfigMap: async () => Promise.reject(networkError('ECONNRESET')) } as unknown as WorkloadApi;
    const error = await caught(new KubernetesClusterGateway(k8s, options).readConfig(target));
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toBe(
      `the Kubernetes API at ${SERVER} did not answer (connection reset, ECONNRESET); reading configmap shop/web-config failed after 3 attempts`,
    );
  });

  it('backs off with growing, jittered pauses: transport retries from 100 ms, conflicts from 20 to 200 ms', async () => {
    const pauses: number[] = [];
    const sleep = async (ms: number) => void pauses.push(ms);
    const conflicting = {
      readDeployment: async () => deployment('old'),
      replaceDeployment: async () => Promise.reject(httpError(409)),
    } as unknown as WorkloadApi;
    const defaults = (random: number) => new KubernetesClusterGateway(conflicting, { server: SERVER, sleep, random: () => random });
    await expect(defaults(0.999).setImage(target, 'new')).rejects.toThrow(ConflictError);
    expect(pauses).toEqual([20, 40, 80, 160, 200, 200, 200]); // 8 attempts
    pauses.length = 0;
    await expect(defaults(0).setImage(target, 'new')).rejects.toThrow(ConflictError);
    expect(pauses).toEqual([10, 20, 40, 80, 100, 100, 100]);

    pauses.length = 0;
    const down = { readDeployment: async () => Promise.reject(networkError('ECONNREFUSED')) } as unknown as WorkloadApi;
    const error = await caught(new KubernetesClusterGateway(down, { server: SERVER, sleep, random: () => 0.999 }).readImage(target));
    expect(error.message).toBe(`the Kubernetes API at ${SERVER} did not answer (connection refused, ECONNREFUSED); reading deployment shop/web failed after 3 attempts`);
    expect(pauses).toEqual([100, 200]);
  });

  it('reports what a write replaced when its answer was lost but the write landed', async () => {
    let live = deployment('old', '1');
    let puts = 0;
    const apps = {
      readDeployment: async () => structuredClone(live),
      replaceDeployment: async (_namespace: string, _name: string, body: V1Deployment) => {
        puts += 1;
        if (body.metadata?.resourceVersion !== live.metadata?.resourceVersion) throw httpError(409);
        live = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(Number(live.metadata?.resourceVersion) + 1) } };
        if (puts === 1) throw networkError('ECONNRESET'); // applied, but the answer never arrived
        return live;
      },
    } as unknown as WorkloadApi;
    expect(await new KubernetesClusterGateway(apps, options).setImage(target, 'new')).toEqual({ previousImage: 'old' });
    expect(puts).toBe(2);
  });
});
