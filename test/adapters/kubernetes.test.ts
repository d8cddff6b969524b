import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEksToken,
  createClusterClients,
  createClusterDirectory,
  createEksTokenProvider,
  KubernetesClusterGateway,
  rolloutOptions,
  type WorkloadApi,
} from '../../functions/adapters/kubernetes';
import { clusterSource } from '../../functions/adapters/kubernetes/clusters';
import { ConfigurationError, readKubernetesConfig } from '../../functions/config';
import type { ClusterGateway, DeploymentTarget, WorkloadConfig } from '../../functions/domain/cluster';
import { ConflictError, DeploymentNotFoundError, RolloutFailedError, UnknownClusterError, ValidationError } from '../../functions/domain/errors';
import { freePort } from '../../local/free-port';
import {
  type KubernetesSimulator,
  type NamedSimulator,
  startKubernetesSimulator,
  startKubernetesSimulators,
  writeCombinedKubeconfig,
} from '../../local/k8s-simulator';

const TOKEN = 'adapter-test-token';
const image = (c: string) => `registry.example/shop@sha256:${c.repeat(64)}`;
const FAST = { timeoutMs: 3000, pollIntervalMs: 20 };

describe('KubernetesClusterGateway against the simulator', () => {
  let sim: KubernetesSimulator;
  let gateway: ClusterGateway;
  let dir: string;
  let n = 0;
  /** A fresh, rolled-out deployment per test. */
  const seed = (replicas = 2): DeploymentTarget => {
    const target = { namespace: 'shop', deployment: `web-${(n += 1)}`, container: 'app' };
    sim.seedDeployment({ namespace: target.namespace, name: target.deployment, container: 'app', image: image('a'), replicas });
    return target;
  };

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 50, progressDeadlineMs: 300 });
    dir = await mkdtemp(join(tmpdir(), 'k8s-adapter-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await sim.writeKubeconfig(kubeconfig);
    gateway = createClusterDirectory(readKubernetesConfig({ KUBECONFIG_PATH: kubeconfig })).gateway();
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the image and sets a new one, returning the previous image', async () => {
    const target = seed();
    expect(await gateway.readImage(target)).toBe(image('a'));
    expect(await gateway.setImage(target, image('b'))).toEqual({ previousImage: image('a') });
    expect(await gateway.readImage(target)).toBe(image('b'));
    expect(await gateway.setImage(target, image('b'))).toEqual({ previousImage: image('b') });
  });

  it('waits for a good rollout to complete', async () => {
    const target = seed(3);
    await gateway.setImage(target, image('c'));
    const status = await gateway.waitForRollout(target, FAST);
    expect(status).toEqual({ image: image('c'), replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 });
  });

  it('fails with RolloutFailedError when the rollout exceeds its progress deadline', async () => {
    const target = seed();
    const bad = 'registry.example/shop:fail-rollout';
    await gateway.setImage(target, bad);
    const error = await gateway.waitForRollout(target, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutFailedError);
    expect((error as Error).name).toBe('RolloutFailed');
    expect((error as Error).message).toMatch(new RegExp(`^rollout of shop/${target.deployment} to ${bad} failed: ProgressDeadlineExceeded: ReplicaSet ".+" has timed out progressing\\.$`));

    // Back to a good image: rolls out normally.
    await gateway.setImage(target, image('d'));
    expect((await gateway.waitForRollout(target, FAST)).image).toBe(image('d'));
  });

  it('fails with RolloutFailedError when the rollout does not complete in time', async () => {
    // A cluster whose rollouts take a minute: only the gateway's timeout can end the wait.
    const slow = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 60_000, progressDeadlineMs: 120_000 });
    try {
      const kubeconfig = join(dir, 'slow-kubeconfig');
      await slow.writeKubeconfig(kubeconfig);
      const slowGateway = createClusterDirectory(readKubernetesConfig({ KUBECONFIG_PATH: kubeconfig })).gateway();
      const target = { namespace: 'shop', deployment: 'web', container: 'app' };
      slow.seedDeployment({ namespace: 'shop', name: 'web', container: 'app', image: image('a'), replicas: 2 });
      await slowGateway.setImage(target, image('e'));
      const started = Date.now();
      const error = await slowGateway.waitForRollout(target, { timeoutMs: 150, pollIntervalMs: 20 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(RolloutFailedError);
      expect((error as Error).message).toBe(`rollout of shop/web to ${image('e')} did not complete: timed out after 0.15s (0 of 2 replicas updated)`);
    } finally {
      await slow.close();
    }
  });

  it('maps a missing deployment or container to DeploymentNotFoundError', async () => {
    const missing = { namespace: 'shop', deployment: 'nope', container: 'app' };
    await expect(gateway.readImage(missing)).rejects.toThrow(DeploymentNotFoundError);
    await expect(gateway.setImage(missing, image('a'))).rejects.toThrow('deployment shop/nope not found');
    await expect(gateway.waitForRollout(missing, FAST)).rejects.toThrow(DeploymentNotFoundError);
    const noContainer = { ...seed(), container: 'sidecar' };
    await expect(gateway.readImage(noContainer)).rejects.toThrow(/has no container "sidecar" \(containers: app\)/);
  });

  it('reads rollout options from the configuration', () => {
    expect(rolloutOptions(readKubernetesConfig({ KUBECONFIG_PATH: '/x', ROLLOUT_TIMEOUT_SECONDS: '90', ROLLOUT_POLL_MS: '500' }))).toEqual({
      timeoutMs: 90_000,
      pollIntervalMs: 500,
    });
  });
});

describe('KubernetesClusterGateway configuration', () => {
  let sim: KubernetesSimulator;
  let gateway: ClusterGateway;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let dir: string;
  let n = 0;
  const seed = (replicas = 2): DeploymentTarget => {
    const target = { namespace: 'conf', deployment: `api-${(n += 1)}`, container: 'app' };
    sim.seedDeployment({ namespace: target.namespace, name: target.deployment, container: 'app', image: image('a'), replicas });
    return target;
  };
  const live = (t: DeploymentTarget) => apps.readNamespacedDeployment({ name: t.deployment, namespace: t.namespace });
  const CONFIG: WorkloadConfig = {
    replicas: 3,
    env: { LOG_LEVEL: 'debug', EMPTY: '', DB_PASSWORD: { secretRef: { name: 'db', key: 'password' } } },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    configMap: { 'app.yaml': 'feature: on\n', TIMEOUT: '30' },
  };

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 30, progressDeadlineMs: 300 });
    dir = await mkdtemp(join(tmpdir(), 'k8s-config-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await sim.writeKubeconfig(kubeconfig);
    gateway = createClusterDirectory(readKubernetesConfig({ KUBECONFIG_PATH: kubeconfig })).gateway();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a configuration that reads back the same, and rolls it out', async () => {
    const target = seed();
    expect(await gateway.readConfig(target)).toEqual({ config: { replicas: 2, env: {}, resources: {} } });

    const { previous, previousHash } = await gateway.applyConfig(target, CONFIG, 'hash-1');
    expect(previous).toEqual({ replicas: 2, env: {}, resources: {} }); // no ConfigMap existed
    expect(previousHash).toBeUndefined();
    expect(await gateway.readConfig(target)).toEqual({ config: CONFIG, hash: 'hash-1' });

    const deployment = await live(target);
    expect(deployment.spec?.replicas).toBe(3);
    expect(deployment.spec?.template.metadata?.annotations).toEqual({ 'gatekeeper.dev/config-hash': 'hash-1' });
    expect(deployment.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'EMPTY', value: '' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(image('a'));
    const configMap = await core.readNamespacedConfigMap({ name: `${target.deployment}-config`, namespace: 'conf' });
    expect(configMap.data).toEqual(CONFIG.configMap);
    expect(configMap.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'gatekeeper' });

    const status = await gateway.waitForRollout(target, FAST);
    expect(status).toEqual({ image: image('a'), replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 });

    // The same configuration again changes nothing: no new generation.
    expect(await gateway.applyConfig(target, CONFIG, 'hash-1')).toEqual({ previous: CONFIG, previousHash: 'hash-1' });
    expect((await live(target)).metadata?.generation).toBe(2);
  });

  it('rolls the pods when only the ConfigMap changed, and undoes it with what it returned', async () => {
    const target = seed();
    await gateway.applyConfig(target, CONFIG, 'hash-1');
    await gateway.waitForRollout(target, FAST);
    const template = JSON.stringify((await live(target)).spec?.template.spec);

    const change = await gateway.applyConfig(target, { configMap: { TIMEOUT: '60' } }, 'hash-2');
    expect(change).toEqual({ previous: { configMap: CONFIG.configMap }, previousHash: 'hash-1' });
    const changed = await live(target);
    expect(changed.metadata?.generation).toBe(3);
    expect(JSON.stringify(changed.spec?.template.spec)).toBe(template); // only the annotation differs
    expect(changed.spec?.template.metadata?.annotations?.['gatekeeper.dev/config-hash']).toBe('hash-2');
    expect((await gateway.waitForRollout(target, FAST)).observedGeneration).toBe(3);
    expect((await gateway.readConfig(target)).config.configMap).toEqual({ TIMEOUT: '60' });

    await gateway.applyConfig(target, change.previous, change.previousHash!);
    expect(await gateway.readConfig(target)).toEqual({ config: CONFIG, hash: 'hash-1' });
    expect((await gateway.waitForRollout(target, FAST)).observedGeneration).toBe(4);
  });

  it('returns only the replaced fields and leaves the others alone', async () => {
    const target = seed();
    await gateway.applyConfig(target, CONFIG, 'hash-1');
    const result = await gateway.applyConfig(target, { replicas: 1, env: { LOG_LEVEL: 'info' } }, 'hash-3');
    expect(result).toEqual({ previous: { replicas: 3, env: CONFIG.env }, previousHash: 'hash-1' });
    expect(await gateway.readConfig(target)).toEqual({
      config: { replicas: 1, env: { LOG_LEVEL: 'info' }, resources: CONFIG.resources, configMap: CONFIG.configMap },
      hash: 'hash-3',
    });
    expect((await gateway.waitForRollout(target, FAST)).replicas).toBe(1);

    // An empty hash removes the annotation (undo onto a template that had none).
    await gateway.applyConfig(target, {}, '');
    expect((await live(target)).spec?.template.metadata?.annotations).toBeUndefined();
    expect((await gateway.readConfig(target)).hash).toBeUndefined();
  });

  it('keeps env vars and resources Gatekeeper does not manage, and refuses to take an env var over', async () => {
    const target = seed();
    const deployment = await live(target);
    const container = deployment.spec!.template.spec!.containers[0]!;
    container.env = [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
      { name: 'OLD', value: 'x' },
    ];
    container.resources = { requests: { cpu: '1', 'ephemeral-storage': '1Gi' } };
    await apps.replaceNamespacedDeployment({ name: target.deployment, namespace: target.namespace, body: deployment });

    expect((await gateway.readConfig(target)).config).toMatchObject({ env: { OLD: 'x' }, resources: { requests: { cpu: '1' } } });
    const { previous } = await gateway.applyConfig(target, { env: { NEW: 'y' }, resources: { limits: { memory: '1Gi' } } }, 'h');
    expect(previous).toEqual({ env: { OLD: 'x' }, resources: { requests: { cpu: '1' } } });
    const after = (await live(target)).spec!.template.spec!.containers[0]!;
    expect(after.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
      { name: 'NEW', value: 'y' },
    ]);
    expect(after.resources).toEqual({ requests: { 'ephemeral-storage': '1Gi' }, limits: { memory: '1Gi' } });

    const clash = gateway.applyConfig(target, { env: { POD_NAME: 'p' }, configMap: { a: '1' } }, 'h2');
    await expect(clash).rejects.toThrow(ValidationError);
    await expect(clash).rejects.toThrow(/env var POD_NAME of conf\/api-\d+ container app is set from a source Gatekeeper does not manage/);
    expect((await gateway.readConfig(target)).config.configMap).toBeUndefined(); // nothing written
    await expect(gateway.applyConfig(target, { replicas: -1 }, 'h')).rejects.toThrow(/replicas must be a non-negative integer/);
  });

  it('maps a missing deployment to DeploymentNotFoundError, before writing the ConfigMap', async () => {
    const missing = { namespace: 'conf', deployment: 'nope', container: 'app' };
    await expect(gateway.applyConfig(missing, { configMap: { a: '1' } }, 'h')).rejects.toThrow(DeploymentNotFoundError);
    await expect(gateway.readConfig(missing)).rejects.toThrow('deployment conf/nope not found');
    const error = await core.readNamespacedConfigMap({ name: 'nope-config', namespace: 'conf' }).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(404);
  });
});

describe('KubernetesClusterGateway.setImage', () => {
  const deployment = (resourceVersion: string): V1Deployment => ({
    metadata: { name: 'web', namespace: 'shop', resourceVersion },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'old' }] } } },
  });

  it('re-reads and retries when the replace conflicts', async () => {
    const sent: string[] = [];
    let reads = 0;
    const k8s = {
      readDeployment: async () => deployment(String((reads += 1))),
      replaceDeployment: async (_namespace: string, _name: string, body: V1Deployment) => {
        sent.push(body.metadata!.resourceVersion!);
        if (sent.length < 3) throw Object.assign(new Error('conflict'), { code: 409 });
        return body;
      },
    } as unknown as WorkloadApi;
    const result = await new KubernetesClusterGateway(k8s).setImage({ namespace: 'shop', deployment: 'web', container: 'app' }, 'new');
    expect(result).toEqual({ previousImage: 'old' });
    expect(sent).toEqual(['1', '2', '3']);
  });

  it('gives up after the configured number of conflicts', async () => {
    const k8s = {
      readDeployment: async () => deployment('1'),
      replaceDeployment: async () => {
        throw Object.assign(new Error('conflict'), { code: 409 });
      },
    } as unknown as WorkloadApi;
    const gateway = new KubernetesClusterGateway(k8s, { conflictAttempts: 2, sleep: async () => {} });
    const error = await gateway.setImage({ namespace: 'shop', deployment: 'web', container: 'app' }, 'new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ name: 'Conflict', cause: { code: 409 } });
    expect((error as Error).message).toBe('updating deployment shop/web: the object was modified by another writer on each of 2 attempts (409 Conflict); try again');
  });
});

describe('KubernetesClusterGateway.applyConfig ConfigMap writes', () => {
  it('reads again and replaces when the ConfigMap was created meanwhile', async () => {
    const deployment: V1Deployment = {
      metadata: { name: 'web', namespace: 'shop', resourceVersion: '1' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'img' }] } } },
    };
    const calls: string[] = [];
    let reads = 0;
    const k8s = {
      readDeployment: async () => structuredClone(deployment),
      readConfigMap: async () => {
        calls.push('read');
        if ((reads += 1) === 1) throw Object.assign(new Error('not found'), { code: 404 });
        return { metadata: { name: 'web-config', resourceVersion: '7' }, data: { a: 'theirs' } };
      },
      createConfigMap: async () => {
        calls.push('create');
        throw Object.assign(new Error('already exists'), { code: 409 });
      },
      replaceConfigMap: async (_namespace: string, _name: string, body: { data: unknown; metadata: { resourceVersion: string } }) => {
        calls.push(`replace@${body.metadata.resourceVersion}:${JSON.stringify(body.data)}`);
        return body;
      },
    } as unknown as WorkloadApi;
    const gateway = new KubernetesClusterGateway(k8s);
    // Replicas unchanged (1) and an empty hash: the Deployment needs no write.
    const result = await gateway.applyConfig({ namespace: 'shop', deployment: 'web', container: 'app' }, { configMap: { a: 'ours' } }, '');
    expect(result).toEqual({ previous: { configMap: { a: 'theirs' } } });
    expect(calls).toEqual(['read', 'create', 'read', 'replace@7:{"a":"ours"}']);
  });
});

describe('EKS tokens', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+1=' };
  const input = { credentials, region: 'eu-west-1', clusterName: 'prod-cluster', signingDate: new Date('2024-05-01T12:00:00Z') };
  const decode = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));

  it('is a base64url presigned STS GetCallerIdentity URL with the cluster header signed', async () => {
    const token = await buildEksToken(input);
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/); // base64url, no padding
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20240501T120000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Security-Token')).toBe('session/token+1=');
    expect(q.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic for its inputs and bound to the cluster name', async () => {
    const token = await buildEksToken(input);
    expect(await buildEksToken(input)).toBe(token);
    const other = await buildEksToken({ ...input, clusterName: 'staging-cluster' });
    expect(decode(other).searchParams.get('X-Amz-Signature')).not.toBe(decode(token).searchParams.get('X-Amz-Signature'));
  });

  it('is cached for ten minutes, or until shortly before the credentials expire', async () => {
    let now = new Date('2024-05-01T12:00:00Z');
    let calls = 0;
    let expiration: Date | undefined = undefined;
    const provider = createEksTokenProvider({
      clusterName: 'prod-cluster',
      region: 'eu-west-1',
      now: () => now,
      credentials: async () => ((calls += 1), { ...credentials, expiration }),
    });
    const first = await provider();
    now = new Date('2024-05-01T12:09:59Z');
    expect(await provider()).toBe(first);
    now = new Date('2024-05-01T12:10:00Z');
    expect(await provider()).not.toBe(first);
    expect(calls).toBe(2);

    expiration = new Date('2024-05-01T12:25:00Z');
    now = new Date('2024-05-01T12:20:00Z');
    const third = await provider();
    expect(calls).toBe(3);
    now = new Date('2024-05-01T12:23:59Z');
    expect(await provider()).toBe(third);
    now = new Date('2024-05-01T12:24:00Z'); // a minute before the credentials expire
    await provider();
    expect(calls).toBe(4);
  });

  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
  it('signs every request of each EKS cluster with a bearer token bound to that cluster', async () => {
    const config = readKubernetesConfig({
      CLUSTERS: JSON.stringify([
        { name: 'eu', eksClusterName: 'prod-eu', endpoint: 'https://EU.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: ca },
        { name: 'us', eksClusterName: 'prod-us', endpoint: 'https://US.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: ca },
      ]),
    });
    const options = { awsRegion: 'eu-west-1', credentials: async () => credentials };
    const clusters = createClusterClients(config, options);
    expect(clusters.names).toEqual(['eu', 'us']);
    expect(clusters.client().server).toBe('https://EU.gr7.eu-west-1.eks.amazonaws.com');
    expect(clusters.client('us').server).toBe('https://US.gr7.us-east-1.eks.amazonaws.com');
    expect(clusters.client('eu')).toBe(clusters.client());
    const source = clusterSource(config, options);
    const [eu, us] = [await source.connection('eu').token!(), await source.connection('us').token!()];
    expect(eu).toMatch(/^k8s-aws-v1\./);
    expect(decode(eu).searchParams.get('X-Amz-Credential')).toContain('/eu-west-1/sts/');
    // Same credentials and second, other cluster name (a signed header): another signature.
    expect(decode(us).searchParams.get('X-Amz-Signature')).not.toBe(decode(eu).searchParams.get('X-Amz-Signature'));
    expect(source.connection('eu').ca).toBe(Buffer.from(ca, 'base64').toString('utf8'));
    expect(() => clusters.client('mars')).toThrow(UnknownClusterError);
    expect(() => createClusterClients(config)).toThrow(/AWS region/);
  });

  it('reads EKS_CLUSTER_NAME, EKS_CLUSTER_ENDPOINT and EKS_CLUSTER_CA as one cluster named default', () => {
    const config = readKubernetesConfig({ EKS_CLUSTER_NAME: 'prod-cluster', EKS_CLUSTER_ENDPOINT: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com', EKS_CLUSTER_CA: ca });
    const directory = createClusterDirectory(config, { awsRegion: 'eu-west-1', credentials: async () => credentials });
    expect(directory.names()).toEqual(['default']);
    expect(createClusterClients(config, { awsRegion: 'eu-west-1' }).client('default').server).toBe('https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com');
  });
});

describe('ClusterDirectory over a kubeconfig with two contexts', () => {
  let clusters: NamedSimulator[];
  let dir: string;
  const target = { namespace: 'shop', deployment: 'web', container: 'app' };

  beforeAll(async () => {
    clusters = await startKubernetesSimulators(['eu', 'us'], { token: TOKEN, rolloutDelayMs: 0 });
    for (const { name, simulator } of clusters) simulator.seedDeployment({ namespace: 'shop', name: 'web', container: 'app', image: image(name === 'eu' ? 'e' : 'f') });
    dir = await mkdtemp(join(tmpdir(), 'k8s-clusters-'));
  });
  afterAll(async () => {
    await Promise.all(clusters.map(({ simulator }) => simulator.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = async (current: string) => {
    const path = join(dir, `kubeconfig-${current}`);
    await writeCombinedKubeconfig(path, clusters, current);
    return readKubernetesConfig({ KUBECONFIG_PATH: path });
  };

  it('has a cluster per context, the current context first (the default)', async () => {
    expect(createClusterDirectory(await kubeconfig('eu')).names()).toEqual(['eu', 'us']);
    expect(createClusterDirectory(await kubeconfig('us')).names()).toEqual(['us', 'eu']);
  });

  it('reaches each cluster by name, and the current context without one', async () => {
    const directory = createClusterDirectory(await kubeconfig('eu'));
    expect(await directory.gateway().readImage(target)).toBe(image('e'));
    expect(await directory.gateway('eu').readImage(target)).toBe(image('e'));
    expect(await directory.gateway('us').readImage(target)).toBe(image('f'));
    expect(directory.gateway('us')).toBe(directory.gateway('us'));
    expect(directory.gateway()).toBe(directory.gateway('eu'));
    const servers = createClusterClients(await kubeconfig('us'));
    expect(servers.client().server).toBe(clusters[1]!.simulator.url);
    expect(servers.client('eu').server).toBe(clusters[0]!.simulator.url);
  });

  it('refuses a cluster that is not configured, naming the configured ones', async () => {
    const directory = createClusterDirectory(await kubeconfig('eu'));
    expect(() => directory.gateway('mars')).toThrow(UnknownClusterError);
    expect(() => directory.gateway('mars')).toThrow('no cluster named "mars" is configured (configured: eu, us)');
  });

  it('refuses a kubeconfig whose current context does not exist', async () => {
    const path = join(dir, 'kubeconfig-broken');
    await writeCombinedKubeconfig(path, clusters, 'eu');
    await writeFile(path, (await readFile(path, 'utf8')).replace('current-context: "eu"', 'current-context: "asia"'));
    expect(() => createClusterDirectory(readKubernetesConfig({ KUBECONFIG_PATH: path }))).toThrow(ConfigurationError);
  });
});
