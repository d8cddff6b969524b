import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { FAILING_IMAGES_PATH, kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

const TOKEN = 'simulator-test-token';
const GOOD = `registry.example/web@sha256:${'a'.repeat(64)}`;
const GOOD_2 = `registry.example/web@sha256:${'b'.repeat(64)}`;
const BAD = `registry.example/web@sha256:${'f'.repeat(64)}`;

function clientsFor(url: string, token: string, caCertificate?: string) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml(url, token, caCertificate));
  return { apps: kubeConfig.makeApiClient(AppsV1Api), core: kubeConfig.makeApiClient(CoreV1Api) };
}

/** The Status object of a failed client call. */
async function failure(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string; kind: string }> {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e as { code: number; body: string },
  );
  return { ...JSON.parse(error.body), code: error.code };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const rolledOut = (d: V1Deployment) =>
  d.status?.observedGeneration === d.metadata?.generation && d.status?.availableReplicas === d.spec?.replicas && d.status?.updatedReplicas === d.spec?.replicas;
const progressing = (d: V1Deployment) => d.status?.conditions?.find((c) => c.type === 'Progressing');

describe('Kubernetes API simulator', () => {
  let sim: KubernetesSimulator;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  const logs: string[] = [];

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ port: await freePort(), token: TOKEN, rolloutDelayMs: 20, progressDeadlineMs: 150, log: (l) => logs.push(l) });
    ({ apps, core } = clientsFor(sim.url, TOKEN));
  });
  afterAll(() => sim.close());

  const read = (namespace: string, name: string) => () => apps.readNamespacedDeployment({ name, namespace });

  it('seeds a rolled-out deployment, idempotently, in a new namespace', async () => {
    const seeded = sim.seedDeployment({ namespace: 'seed', name: 'web', container: 'app', image: GOOD, replicas: 3 });
    expect(sim.seedDeployment({ namespace: 'seed', name: 'web', container: 'app', image: GOOD_2 }).metadata.uid).toBe(seeded.metadata.uid);

    const deployment = await read('seed', 'web')();
    expect(deployment.spec?.template.spec?.containers[0]).toMatchObject({ name: 'app', image: GOOD });
    expect(deployment.metadata).toMatchObject({ generation: 1, uid: seeded.metadata.uid });
    expect(deployment.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(deployment.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(deployment.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    expect((await core.readNamespace({ name: 'seed' })).status?.phase).toBe('Active');
  });

  it('replaces a deployment, which then rolls out', async () => {
    sim.seedDeployment({ namespace: 'replace', name: 'web', container: 'app', image: GOOD, replicas: 2 });
    const before = await read('replace', 'web')();
    before.spec!.template.spec!.containers[0]!.image = GOOD_2;
    const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'replace', body: before });
    expect(replaced.metadata?.generation).toBe(2);
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));

    const done = await eventually(read('replace', 'web'), rolledOut);
    expect(done.status).toMatchObject({ observedGeneration: 2, replicas: 2, availableReplicas: 2 });
    expect(done.status?.unavailableReplicas).toBeUndefined();
    expect(logs).toContain('k8s-simulator PUT /apis/apps/v1/namespaces/replace/deployments/web 200');
  });

  it('answers 409 Conflict to a replace with a stale resourceVersion', async () => {
    sim.seedDeployment({ namespace: 'conflict', name: 'web', container: 'app', image: GOOD });
    const stale = await read('conflict', 'web')();
    const fresh = structuredClone(stale);
    fresh.metadata!.labels = { touched: 'yes' };
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'conflict', body: fresh });
    const status = await failure(apps.replaceNamespacedDeployment({ name: 'web', namespace: 'conflict', body: stale }));
    expect(status).toMatchObject({ kind: 'Status', code: 409, reason: 'Conflict' });
    expect(status.message).toContain('the object has been modified');
  });

  it('requires the bearer token', async () => {
    const response = await fetch(`${sim.url}/apis/apps/v1/deployments`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const wrong = clientsFor(sim.url, 'wrong-token');
    // The generated client drops the body of a 401.
    await expect(wrong.apps.listDeploymentForAllNamespaces()).rejects.toMatchObject({ code: 401 });
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
  });

  it('answers NotFound Status objects', async () => {
    expect(await failure(apps.readNamespacedDeployment({ name: 'nope', namespace: 'default' }))).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
    });
    const created = apps.createNamespacedDeployment({
      namespace: 'missing-ns',
      body: { metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: GOOD }] } } } },
    });
    expect(await failure(created)).toMatchObject({ code: 404, message: 'namespaces "missing-ns" not found' });
    const unknown = await fetch(`${sim.url}/apis/networking.k8s.io/v1/ingresses`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(unknown.status).toBe(404);
  });

  it('creates and lists deployments per namespace and across namespaces', async () => {
    await core.createNamespace({ body: { metadata: { name: 'list-a' } } });
    await core.createNamespace({ body: { metadata: { name: 'list-b' } } });
    for (const namespace of ['list-a', 'list-b']) {
      const body = { metadata: { name: 'api' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image: GOOD }] } } } };
      const created = await apps.createNamespacedDeployment({ namespace, body });
      expect(created.metadata).toMatchObject({ namespace, generation: 1 });
      expect(created.spec?.replicas).toBe(1);
    }
    const duplicate = apps.createNamespacedDeployment({
      namespace: 'list-a',
      body: { metadata: { name: 'api' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image: GOOD }] } } } },
    });
    expect(await failure(duplicate)).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const invalid = apps.createNamespacedDeployment({ namespace: 'list-a', body: { metadata: { name: 'bad' }, spec: { selector: {}, template: {} } } });
    expect(await failure(invalid)).toMatchObject({ code: 422, reason: 'Invalid' });

    const all = await apps.listDeploymentForAllNamespaces();
    const names = all.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining(['list-a/api', 'list-b/api']));
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);
    const one = await apps.listNamespacedDeployment({ namespace: 'list-a' });
    expect(one.items.map((d) => d.metadata?.name)).toEqual(['api']);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'list-a', 'list-b']));
  });

  it('supports configmap create, get, list, replace and patch', async () => {
    await core.createNamespace({ body: { metadata: { name: 'cm' } } });
    const created = await core.createNamespacedConfigMap({ namespace: 'cm', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect((await core.readNamespacedConfigMap({ name: 'settings', namespace: 'cm' })).data).toEqual({ a: '1' });

    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'cm', body: { ...created, data: { a: '2' } } });
    expect(replaced.data).toEqual({ a: '2' });
    const stale = core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'cm', body: { ...created, data: { a: '3' } } });
    expect(await failure(stale)).toMatchObject({ code: 409, reason: 'Conflict' });

    const patched = await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: 'cm', body: { data: { b: 'x' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ a: '2', b: 'x' });
    expect((await core.listNamespacedConfigMap({ namespace: 'cm' })).items.map((c) => c.metadata?.name)).toEqual(['settings']);
    expect((await core.listConfigMapForAllNamespaces()).items.length).toBeGreaterThanOrEqual(1);
    const jsonPatch = core.patchNamespacedConfigMap({ name: 'settings', namespace: 'cm', body: [{ op: 'remove', path: '/data/a' }] });
    expect(await failure(jsonPatch)).toMatchObject({ code: 415 });
  });

  it('round-trips configmap data verbatim and rejects invalid keys', async () => {
    await core.createNamespace({ body: { metadata: { name: 'cm-data' } } });
    const data = { 'app.yaml': 'a: 1\nb: "two"\n', EMPTY: '', 'unicode_key-1': 'é ✓ {"json": true}' };
    await core.createNamespacedConfigMap({ namespace: 'cm-data', body: { metadata: { name: 'web-config' }, data } });
    const stored = await core.readNamespacedConfigMap({ name: 'web-config', namespace: 'cm-data' });
    expect(stored.data).toEqual(data);
    const replaced = await core.replaceNamespacedConfigMap({ name: 'web-config', namespace: 'cm-data', body: { ...stored, data: { only: 'this' } } });
    expect(replaced.data).toEqual({ only: 'this' });
    expect((await core.readNamespacedConfigMap({ name: 'web-config', namespace: 'cm-data' })).data).toEqual({ only: 'this' });
    const badKey = core.createNamespacedConfigMap({ namespace: 'cm-data', body: { metadata: { name: 'bad' }, data: { 'a/b': 'x' } } });
    expect(await failure(badKey)).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('rolls out pod-template annotation changes and follows replica changes', async () => {
    sim.seedDeployment({ namespace: 'tmpl', name: 'web', container: 'app', image: GOOD, replicas: 2 });
    const seeded = await read('tmpl', 'web')();
    seeded.spec!.template.metadata = { ...seeded.spec!.template.metadata, annotations: { 'gatekeeper.dev/config-hash': 'h1' } };
    const annotated = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'tmpl', body: seeded });
    expect(annotated.metadata?.generation).toBe(2);
    expect(annotated.spec?.template.metadata?.annotations).toEqual({ 'gatekeeper.dev/config-hash': 'h1' });
    expect((await read('tmpl', 'web')()).status?.updatedReplicas).toBe(0); // in progress
    const rolled = await eventually(read('tmpl', 'web'), rolledOut);
    expect(rolled.status).toMatchObject({ observedGeneration: 2, replicas: 2, availableReplicas: 2 });

    for (const replicas of [5, 1]) {
      const current = await read('tmpl', 'web')();
      current.spec!.replicas = replicas;
      const scaled = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'tmpl', body: current });
      const done = await eventually(read('tmpl', 'web'), rolledOut);
      expect(done.metadata?.generation).toBe(scaled.metadata?.generation);
      expect(done.status).toMatchObject({ replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
    }
  });

  it('bumps generation on spec changes only', async () => {
    sim.seedDeployment({ namespace: 'gen', name: 'web', container: 'app', image: GOOD });
    const seeded = await read('gen', 'web')();

    const labelled = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'gen', body: { metadata: { labels: { team: 'x' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(labelled.metadata?.generation).toBe(1);

    // Status in a write to the main resource is ignored, as in Kubernetes.
    const withStatus = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'gen', body: { ...labelled, status: { replicas: 99 } } });
    expect(withStatus.metadata?.generation).toBe(1);
    expect(withStatus.status?.replicas).toBe(1);

    const sidecar = { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'registry.example/proxy:1' }] } } } };
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'gen', body: sidecar }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const image = { spec: { template: { spec: { containers: [{ name: 'app', image: GOOD_2 }] } } } };
    const patched = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'gen', body: image }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(patched.metadata?.generation).toBe(3);
    expect(patched.spec?.template.spec?.containers.map((c) => [c.name, c.image])).toEqual([
      ['app', GOOD_2],
      ['sidecar', 'registry.example/proxy:1'],
    ]);

    // The rollout controller's status writes change resourceVersion but not generation.
    const done = await eventually(read('gen', 'web'), rolledOut);
    expect(done.metadata?.generation).toBe(3);
    expect(Number(done.metadata?.resourceVersion)).toBeGreaterThan(Number(patched.metadata?.resourceVersion));
    expect(done.metadata?.uid).toBe(seeded.metadata?.uid);
  });

  describe('failing images', () => {
    const control = (init?: RequestInit) =>
      fetch(`${sim.url}${FAILING_IMAGES_PATH}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    afterEach(() => sim.setFailingImages([]));

    it('are set through the control endpoint, which needs the token', async () => {
      expect((await fetch(`${sim.url}${FAILING_IMAGES_PATH}`)).status).toBe(401);
      const put = await control({ method: 'PUT', body: JSON.stringify({ images: [BAD] }) });
      expect(await put.json()).toEqual({ images: [BAD] });
      expect(await (await control()).json()).toEqual({ images: [BAD] });
      expect(sim.failingImages()).toEqual([BAD]);
      expect((await control({ method: 'PUT', body: '{"images": "nope"}' })).status).toBe(400);
    });

    it('never become available, exceed the progress deadline, and recover with a good image', async () => {
      sim.setFailingImages([BAD]);
      sim.seedDeployment({ namespace: 'fail', name: 'web', container: 'app', image: GOOD, replicas: 2 });
      const patch = (image: string) =>
        apps.patchNamespacedDeployment(
          { name: 'web', namespace: 'fail', body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
      await patch(BAD);
      const stuck = await eventually(read('fail', 'web'), (d) => d.status?.updatedReplicas === 2);
      expect(stuck.status).toMatchObject({ observedGeneration: 2, availableReplicas: 2, unavailableReplicas: 2, replicas: 4 });

      const failed = await eventually(read('fail', 'web'), (d) => progressing(d)?.status === 'False');
      expect(progressing(failed)).toMatchObject({ reason: 'ProgressDeadlineExceeded' });
      expect(progressing(failed)?.message).toContain('has timed out progressing');
      expect(failed.status?.availableReplicas).toBe(2);

      await patch(GOOD_2);
      const recovered = await eventually(read('fail', 'web'), rolledOut);
      expect(progressing(recovered)).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
      expect(recovered.status).toMatchObject({ observedGeneration: 3, replicas: 2, availableReplicas: 2 });
    });
  });

  it('serves discovery documents', async () => {
    const get = async (path: string) => (await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(await get('/version')).toMatchObject({ major: '1' });
    expect(await get('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(await get('/apis')).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'apps' }, { name: 'batch' }] });
    const apps = (await get('/apis/apps/v1')) as { resources: { name: string; namespaced: boolean }[] };
    expect(apps.resources).toContainEqual(expect.objectContaining({ name: 'deployments', namespaced: true, kind: 'Deployment' }));
    const core = (await get('/api/v1')) as { resources: { name: string }[] };
    expect(core.resources.map((r) => r.name).sort()).toEqual(['configmaps', 'events', 'namespaces', 'pods', 'pods/log', 'secrets']);
    const batch = (await get('/apis/batch/v1')) as { resources: { name: string }[] };
    expect(batch.resources.map((r) => r.name)).toEqual(['jobs']);
    expect(apps.resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }));
  });
});

describe('Kubernetes API simulator lifecycle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-sim-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('persists its state across restarts', async () => {
    const statePath = join(dir, 'state', 'k8s-state.json');
    const options = { token: TOKEN, rolloutDelayMs: 0, statePath };
    const first = await startKubernetesSimulator({ ...options, port: await freePort() });
    let seededUid: string;
    let lastVersion: number;
    try {
      seededUid = first.seedDeployment({ namespace: 'keep', name: 'web', container: 'app', image: GOOD }).metadata.uid;
      const { apps, core } = clientsFor(first.url, TOKEN);
      const current = await apps.readNamespacedDeployment({ name: 'web', namespace: 'keep' });
      current.spec!.template.spec!.containers[0]!.image = GOOD_2;
      await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'keep', body: current });
      await core.createNamespacedConfigMap({ namespace: 'keep', body: { metadata: { name: 'cfg' }, data: { k: 'v' } } });
      const done = await eventually(() => apps.readNamespacedDeployment({ name: 'web', namespace: 'keep' }), rolledOut);
      lastVersion = Number(done.metadata?.resourceVersion);
    } finally {
      await first.close();
    }
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ version: 1 });

    const second = await startKubernetesSimulator({ ...options, port: await freePort() });
    try {
      const { apps, core } = clientsFor(second.url, TOKEN);
      const restored = await apps.readNamespacedDeployment({ name: 'web', namespace: 'keep' });
      expect(restored.metadata).toMatchObject({ uid: seededUid, generation: 2 });
      expect(restored.spec?.template.spec?.containers[0]?.image).toBe(GOOD_2);
      expect(rolledOut(restored)).toBe(true);
      expect((await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'keep' })).data).toEqual({ k: 'v' });
      // Seeding again leaves the restored deployment alone; new writes continue the resourceVersion sequence.
      second.seedDeployment({ namespace: 'keep', name: 'web', container: 'app', image: GOOD });
      const labelled = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'keep', body: { ...restored, metadata: { ...restored.metadata, labels: { a: 'b' } } } });
      expect(Number(labelled.metadata?.resourceVersion)).toBeGreaterThan(lastVersion);
      expect(labelled.spec?.template.spec?.containers[0]?.image).toBe(GOOD_2);
    } finally {
      await second.close();
    }
  });

  it('reports a rollout in progress until rolloutDelayMs has passed', async () => {
    const slow = await startKubernetesSimulator({ token: TOKEN, port: await freePort(), rolloutDelayMs: 60_000 });
    try {
      slow.seedDeployment({ namespace: 'slow', name: 'web', container: 'app', image: GOOD, replicas: 2 });
      const { apps } = clientsFor(slow.url, TOKEN);
      await apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'slow', body: { spec: { template: { spec: { containers: [{ name: 'app', image: GOOD_2 }] } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      const inProgress = await apps.readNamespacedDeployment({ name: 'web', namespace: 'slow' });
      expect(inProgress.metadata?.generation).toBe(2);
      expect(inProgress.status).toMatchObject({ observedGeneration: 2, replicas: 2, updatedReplicas: 0, availableReplicas: 2, unavailableReplicas: 2 });
      expect(progressing(inProgress)).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    } finally {
      await slow.close(); // also cancels the pending rollout timer
    }
  });

  it('serves HTTPS with a kubeconfig that trusts its certificate', async () => {
    const sim = await startKubernetesSimulator({ token: TOKEN, port: await freePort(), tls: true });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const path = join(dir, 'kubeconfig');
      await sim.writeKubeconfig(path);
      const text = await readFile(path, 'utf8');
      expect(text).toContain('certificate-authority-data:');
      expect(text).toContain(`token: "${TOKEN}"`);
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(path);
      const namespaces = await kubeConfig.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
    } finally {
      await sim.close();
    }
  });
});
