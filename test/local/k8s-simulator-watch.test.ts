import { AppsV1Api, CoreV1Api, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

// Watches (through @kubernetes/client-node's Watch and informer, and raw) and server-side tables.

const TOKEN = 'watch-test-token';
const IMAGE_1 = 'registry.example/web:1';
const IMAGE_2 = 'registry.example/web:2';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface WatchEvent<T = V1Deployment> {
  type: string;
  object: T;
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Table {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string };
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: unknown[]; object?: { kind: string; metadata: { name: string; namespace?: string } } }[];
}

describe('Kubernetes API simulator watches', () => {
  let sim: KubernetesSimulator;
  let kubeConfig: KubeConfig;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  const get = (path: string, accept = 'application/json') => fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept } });
  const setImage = (namespace: string, image: string) =>
    apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );

  /** Starts a client-node watch that collects its events; `stop()` aborts it, `done` settles when it ends. */
  async function collect<T = V1Deployment>(path: string, query: Record<string, string | number | boolean> = {}) {
    const events: WatchEvent<T>[] = [];
    let ended: unknown = 'open';
    const controller = await new Watch(kubeConfig).watch(
      path,
      query,
      (type, object) => events.push({ type, object: object as T }),
      (error) => {
        ended = error ?? null;
      },
    );
    return { events, stop: () => controller.abort(), ended: () => ended };
  }

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ token: TOKEN, rolloutDelayMs: 20, progressDeadlineMs: 150, jobDurationMs: 30 });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml(sim.url, TOKEN));
    apps = kubeConfig.makeApiClient(AppsV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(() => sim.close());

  it('streams ADDED for existing objects, then MODIFIED through a rollout, then DELETED', async () => {
    sim.seedDeployment({ namespace: 'w1', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    sim.seedDeployment({ namespace: 'w1', name: 'other', container: 'app', image: IMAGE_1 });
    const watch = await collect('/apis/apps/v1/namespaces/w1/deployments', { fieldSelector: 'metadata.name=web' });
    await until(() => watch.events.length === 1);
    expect(watch.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web' } } });

    await setImage('w1', IMAGE_2);
    await until(() => watch.events.some((e) => e.object.status?.updatedReplicas === 2 && e.object.metadata?.generation === 2));
    expect(watch.events.slice(1).every((e) => e.type === 'MODIFIED' && e.object.metadata?.name === 'web')).toBe(true);
    const versions = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'w1' });
    await until(() => watch.events.at(-1)?.type === 'DELETED');
    watch.stop();
  });

  it('replays the changes after a resourceVersion, and ends at timeoutSeconds', async () => {
    sim.seedDeployment({ namespace: 'w2', name: 'web', container: 'app', image: IMAGE_1 });
    const list = await apps.listNamespacedDeployment({ namespace: 'w2' });
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'w2', body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const started = Date.now();
    const watch = await collect('/apis/apps/v1/namespaces/w2/deployments', { resourceVersion: list.metadata!.resourceVersion!, timeoutSeconds: 1 });
    await until(() => watch.ended() !== 'open', 3000);
    expect(watch.ended()).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(watch.events.map((e) => [e.type, e.object.metadata?.labels?.touched])).toEqual([['MODIFIED', 'yes']]);
  });

  it('sends DELETED when an object stops matching the label selector, ADDED when it starts', async () => {
    sim.seedDeployment({ namespace: 'w3', name: 'web', container: 'app', image: IMAGE_1 });
    const watch = await collect('/apis/apps/v1/namespaces/w3/deployments', { labelSelector: 'tier=front' });
    const label = (value: string | null) =>
      apps.patchNamespacedDeployment({ name: 'web', namespace: 'w3', body: { metadata: { labels: { tier: value } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await label('front');
    await until(() => watch.events.length === 1);
    await label('back');
    await until(() => watch.events.length === 2);
    expect(watch.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    watch.stop();
  });

  it('keeps a client-node informer of pods in step through a rollout', async () => {
    sim.seedDeployment({ namespace: 'w4', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    const informer = makeInformer(kubeConfig, '/api/v1/namespaces/w4/pods', () => core.listNamespacedPod({ namespace: 'w4' }));
    const deleted: string[] = [];
    informer.on('delete', (pod: V1Pod) => deleted.push(pod.metadata!.name!));
    await informer.start();
    try {
      expect(informer.list().map((p) => p.spec?.containers[0]?.image)).toEqual([IMAGE_1, IMAGE_1]);
      await setImage('w4', IMAGE_2);
      await until(() => informer.list().length === 2 && informer.list().every((p) => p.spec?.containers[0]?.image === IMAGE_2));
      expect(deleted).toHaveLength(2);
    } finally {
      await informer.stop();
    }
  });

  it('answers watch=1 and item-path watches as newline-delimited JSON, and sendInitialEvents with a bookmark', async () => {
    sim.seedDeployment({ namespace: 'w5', name: 'web', container: 'app', image: IMAGE_1 });
    const read = async (path: string, lines: number) => {
      const response = await get(path);
      expect(response.headers.get('content-type')).toBe('application/json');
      const reader = response.body!.getReader();
      let text = '';
      while (text.split('\n').length <= lines) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { name?: string; annotations?: Record<string, string> } } });
    };
    const [added] = await read('/apis/apps/v1/namespaces/w5/deployments?watch=1', 1);
    expect(added).toMatchObject({ type: 'ADDED', object: { kind: 'Deployment', metadata: { name: 'web' } } });
    const [item] = await read('/apis/apps/v1/namespaces/w5/deployments/web?watch=true', 1);
    expect(item).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web' } } });
    const initial = await read('/apis/apps/v1/namespaces/w5/deployments?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', 2);
    expect(initial.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(initial[1]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect((await get('/apis/apps/v1/namespaces/w5/deployments?watch=true&resourceVersion=abc')).status).toBe(400);
  });

  it('cuts open watches when the API becomes unreachable, and ends them on close', async () => {
    const other = await startKubernetesSimulator({ token: TOKEN, rolloutDelayMs: 10 });
    const config = new KubeConfig();
    config.loadFromString(kubeconfigYaml(other.url, TOKEN));
    const events: string[] = [];
    const ends: unknown[] = [];
    const start = () => new Watch(config).watch('/api/v1/namespaces', {}, (type) => events.push(type), (error) => ends.push(error ?? null));
    try {
      await start();
      await until(() => events.length === 1);
      other.setFaults({ unreachable: true });
      other.seedDeployment({ namespace: 'cut', name: 'web', container: 'app', image: IMAGE_1 }); // a change to send
      await until(() => ends.length === 1);
      expect(ends[0]).not.toBeNull();
      other.clearFaults();
      await start();
      await until(() => events.length === 3); // ADDED default and cut
    } finally {
      await other.close();
    }
    await until(() => ends.length === 2);
    expect(ends[1]).toBeNull();
  });
});

describe('Kubernetes API simulator tables', () => {
  let sim: KubernetesSimulator;
  const get = async (path: string, accept = TABLE) => {
    const response = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept } });
    expect(response.status).toBe(200);
    return (await response.json()) as Table;
  };
  const columns = (table: Table, priority = 0) => table.columnDefinitions.filter((c) => c.priority <= priority).map((c) => c.name);
  const cells = (table: Table) => table.rows.map((row) => Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, row.cells[i]])));

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ token: TOKEN, rolloutDelayMs: 10, jobDurationMs: 300 });
    sim.seedDeployment({ namespace: 'tables', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
  });
  afterAll(() => sim.close());

  it('renders deployments with READY, UP-TO-DATE, AVAILABLE, AGE and the wide columns', async () => {
    const table = await get('/apis/apps/v1/namespaces/tables/deployments');
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(table.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(columns(table)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(columns(table, 1)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(cells(table)).toEqual([{ Name: 'web', Ready: '2/2', 'Up-to-date': 2, Available: 2, Age: expect.stringMatching(/^\d+s$/), Containers: 'app', Images: IMAGE_1, Selector: 'app=web' }]);
    expect(table.rows[0]?.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web', namespace: 'tables' } });
    expect((await get('/apis/apps/v1/namespaces/tables/deployments?includeObject=None')).rows[0]?.object).toBeUndefined();
    expect((await get('/apis/apps/v1/namespaces/tables/deployments/web?includeObject=Object')).rows[0]?.object).toMatchObject({ kind: 'Deployment' });
    const plain = (await get('/apis/apps/v1/namespaces/tables/deployments', 'application/json')) as unknown as { kind: string };
    expect(plain.kind).toBe('DeploymentList');
  });

  it('renders pods, ReplicaSets, jobs, events, configmaps and namespaces', async () => {
    const pods = cells(await get('/api/v1/namespaces/tables/pods'));
    expect(pods).toHaveLength(2);
    expect(pods[0]).toEqual({ Name: expect.stringMatching(/^web-/), Ready: '1/1', Status: 'Running', Restarts: '0', Age: expect.any(String), IP: expect.stringMatching(/^10\.244\./), Node: 'simulator-node', 'Nominated Node': '<none>', 'Readiness Gates': '<none>' });
    expect(columns(await get('/api/v1/namespaces/tables/pods'))).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    const rs = await get('/apis/apps/v1/namespaces/tables/replicasets');
    expect(columns(rs)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age']);
    expect(cells(rs)[0]).toMatchObject({ Desired: 2, Current: 2, Ready: 2 });

    const created = await fetch(`${sim.url}/apis/batch/v1/namespaces/tables/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'check' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }),
    });
    expect(created.status).toBe(201);
    const running = cells(await get('/apis/batch/v1/namespaces/tables/jobs'));
    expect(running[0]).toMatchObject({ Name: 'check', Status: 'Running', Completions: '0/1' });
    let jobs = running;
    for (const deadline = Date.now() + 3000; jobs[0]?.Status !== 'Complete' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      jobs = cells(await get('/apis/batch/v1/namespaces/tables/jobs'));
    }
    expect(columns(await get('/apis/batch/v1/namespaces/tables/jobs'))).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    expect(jobs[0]).toMatchObject({ Completions: '1/1', Duration: expect.stringMatching(/^\d+s$/) });
    const jobPods = cells(await get('/api/v1/namespaces/tables/pods?labelSelector=job-name%3Dcheck'));
    expect(jobPods[0]).toMatchObject({ Ready: '0/1', Status: 'Completed' });

    const events = await get('/api/v1/namespaces/tables/events');
    expect(columns(events)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(cells(events)).toContainEqual(expect.objectContaining({ Type: 'Normal', Reason: 'ScalingReplicaSet', Object: 'deployment/web' }));
    expect(columns(await get('/api/v1/namespaces'))).toEqual(['Name', 'Status', 'Age']);
    expect(columns(await get('/api/v1/namespaces/tables/configmaps'))).toEqual(['Name', 'Data', 'Age']);
  });

  it('sends table rows in watch events', async () => {
    const response = await fetch(`${sim.url}/apis/apps/v1/namespaces/tables/deployments?watch=true`, { headers: { authorization: `Bearer ${TOKEN}`, accept: TABLE } });
    const reader = response.body!.getReader();
    const first = JSON.parse(new TextDecoder().decode((await reader.read()).value).split('\n')[0]!) as { type: string; object: Table };
    await reader.cancel();
    expect(first.type).toBe('ADDED');
    expect(first.object.kind).toBe('Table');
    expect(first.object.rows[0]?.cells.slice(0, 2)).toEqual(['web', '2/2']);
  });
});
