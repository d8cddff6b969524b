import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { FAULTS_PATH, kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

const TOKEN = 'faults-test-token';
const GOOD = `registry.example/web@sha256:${'a'.repeat(64)}`;
const GOOD_2 = `registry.example/web@sha256:${'b'.repeat(64)}`;
const KUBECTL = '/usr/bin/kubectl';
const NO_FAULTS = { unreachable: false, unreachableFor: 0, conflicts: 0 };

/** The HTTP status of a failed client call, or the transport error's cause code. */
async function outcome(promise: Promise<unknown>): Promise<string | number> {
  return promise.then(
    () => 'ok',
    (e: { code?: number; cause?: { code?: string } }) => e.code ?? e.cause?.code ?? String(e),
  );
}

describe('Kubernetes API simulator fault switches', () => {
  let sim: KubernetesSimulator;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  const control = (method: string, body?: unknown) =>
    fetch(`${sim.url}${FAULTS_PATH}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const read = () => apps.readNamespacedDeployment({ name: 'web', namespace: 'faults' });

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 0 });
    sim.seedDeployment({ namespace: 'faults', name: 'web', container: 'app', image: GOOD });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml(sim.url, TOKEN));
    apps = kubeConfig.makeApiClient(AppsV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.clearFaults());

  it('are set, shown and cleared through the control endpoint, which needs the token', async () => {
    expect((await fetch(`${sim.url}${FAULTS_PATH}`)).status).toBe(401);
    expect(await (await control('GET')).json()).toEqual(NO_FAULTS);
    const put = await control('PUT', { unreachableFor: 2, conflicts: 1 });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ unreachable: false, unreachableFor: 2, conflicts: 1 });
    expect(sim.faults()).toEqual({ unreachable: false, unreachableFor: 2, conflicts: 1 });
    // PUT replaces the whole set: what it leaves out is off.
    expect(await (await control('PUT', { unreachable: true })).json()).toEqual({ ...NO_FAULTS, unreachable: true });
    expect(await (await control('DELETE')).json()).toEqual(NO_FAULTS);
    expect(sim.faults()).toEqual(NO_FAULTS);

    for (const bad of [{ unreachable: 'yes' }, { conflicts: -1 }, { unreachableFor: 1.5 }, { timeout: 3 }, []]) {
      const response = await control('PUT', bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    }
    expect((await control('POST', {})).status).toBe(405);
    expect(() => sim.setFaults({ conflicts: -2 })).toThrow(/conflicts/);
  });

  it('unreachable: API requests get no answer; health and control paths still answer', async () => {
    sim.setFaults({ unreachable: true });
    for (let i = 0; i < 3; i += 1) expect(await outcome(read())).toBe('UND_ERR_SOCKET');
    expect(await outcome(core.listNamespace())).toBe('UND_ERR_SOCKET');
    expect(await outcome(fetch(`${sim.url}/version`))).toBe('UND_ERR_SOCKET'); // even unauthenticated
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
    expect(await (await control('GET')).json()).toMatchObject({ unreachable: true });
    await control('DELETE');
    expect(await outcome(read())).toBe('ok');
  });

  it('unreachableFor: only the next N API requests get no answer', async () => {
    await control('PUT', { unreachableFor: 2 });
    expect(await outcome(read())).toBe('UND_ERR_SOCKET');
    expect(sim.faults().unreachableFor).toBe(1);
    expect((await fetch(`${sim.url}/readyz`)).status).toBe(200); // not counted
    expect(await outcome(read())).toBe('UND_ERR_SOCKET');
    expect(await outcome(read())).toBe('ok');
    expect(sim.faults()).toEqual(NO_FAULTS);
  });

  it('conflicts: the next N writes to Deployments or ConfigMaps answer 409 as the API server words it', async () => {
    await core.createNamespacedConfigMap({ namespace: 'faults', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
    sim.setFaults({ conflicts: 3 });
    expect(await outcome(read())).toBe('ok'); // reads are not affected
    const deployment = await read();
    deployment.spec!.template.spec!.containers[0]!.image = GOOD_2;
    const replace = apps.replaceNamespacedDeployment({ name: 'web', namespace: 'faults', body: deployment });
    const error = (await replace.catch((e: unknown) => e)) as { code: number; body: string };
    expect(error.code).toBe(409);
    expect(JSON.parse(error.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
    const patch = apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'faults', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await outcome(patch)).toBe(409);
    const configMap = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'faults' });
    const cmError = (await core
      .replaceNamespacedConfigMap({ name: 'settings', namespace: 'faults', body: { ...configMap, data: { a: '2' } } })
      .catch((e: unknown) => e)) as { code: number; body: string };
    expect(cmError.code).toBe(409);
    expect(JSON.parse(cmError.body).message).toBe(
      'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(sim.faults().conflicts).toBe(0);
    // Nothing was written; the same (still current) object now goes through.
    expect((await read()).spec?.template.spec?.containers[0]?.image).toBe(GOOD);
    const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'faults', body: deployment });
    expect(replaced.spec?.template.spec?.containers[0]?.image).toBe(GOOD_2);
  });
});

describe('Kubernetes API simulator fault switches with kubectl', () => {
  let dir: string;
  let sim: KubernetesSimulator;
  const kubectl = (kubeconfig: string) =>
    promisify(execFile)(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '1s', 'get', 'deploy', '-A'], {
      timeout: 20_000,
      env: { ...process.env, HOME: dir },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-faults-'));
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, tls: true });
    sim.seedDeployment({ namespace: 'kubectl', name: 'web', container: 'app', image: GOOD });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync(KUBECTL))('kubectl get fails while unreachable and works after clearing', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await sim.writeKubeconfig(kubeconfig);
    // A first run fills kubectl's discovery cache; without it kubectl retries discovery for ~10 s before it gives up.
    expect((await kubectl(kubeconfig)).stdout).toMatch(/^kubectl\s+web\s/m);
    sim.setFaults({ unreachable: true });
    const failed = await kubectl(kubeconfig).catch((e: { code?: number; stderr?: string }) => e);
    expect(failed).toMatchObject({ code: expect.any(Number) });
    expect((failed as { stderr: string }).stderr).toMatch(/EOF|connection reset/);

    sim.clearFaults();
    const { stdout } = await kubectl(kubeconfig);
    expect(stdout).toMatch(/^kubectl\s+web\s/m);
  });
});
