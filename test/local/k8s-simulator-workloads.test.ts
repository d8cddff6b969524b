import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

// ReplicaSets, pods, jobs, logs, events, the scale subresource and deletion, through @kubernetes/client-node.

const TOKEN = 'workloads-test-token';
const IMAGE_1 = 'registry.example/web:1';
const IMAGE_2 = 'registry.example/web:2';

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
  d.status?.observedGeneration === d.metadata?.generation && d.status?.availableReplicas === d.spec?.replicas && d.status?.updatedReplicas === d.spec?.replicas && d.status?.replicas === d.spec?.replicas;
const jobCondition = (job: V1Job) => job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const owner = (o: { metadata?: { ownerReferences?: { kind: string; name: string }[] } }) => o.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}`);
const jobSpec = (image: string, extra: Record<string, unknown> = {}) => ({
  ...extra,
  template: { spec: { restartPolicy: 'Never', containers: [{ name: 'check', image, command: ['echo'], args: ['checking', 'it'] }] } },
});

describe('Kubernetes API simulator workloads', () => {
  let sim: KubernetesSimulator;
  let apps: AppsV1Api;
  let batch: BatchV1Api;
  let core: CoreV1Api;

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ token: TOKEN, rolloutDelayMs: 20, progressDeadlineMs: 150, jobDurationMs: 30 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml(sim.url, TOKEN));
    apps = kubeConfig.makeApiClient(AppsV1Api);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(() => sim.close());

  const podsOf = async (namespace: string, labelSelector?: string) => (await core.listNamespacedPod({ namespace, labelSelector })).items;
  const readDeployment = (namespace: string) => () => apps.readNamespacedDeployment({ name: 'web', namespace });
  const setImage = (namespace: string, image: string) =>
    apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );

  it('runs one pod per replica, owned by a ReplicaSet with a revision, and replaces them on a rollout', async () => {
    sim.seedDeployment({ namespace: 'rs', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    const [first] = (await apps.listNamespacedReplicaSet({ namespace: 'rs' })).items;
    const hash = first?.metadata?.labels?.['pod-template-hash'];
    expect(first?.metadata).toMatchObject({ name: `web-${hash}`, annotations: { 'deployment.kubernetes.io/revision': '1' } });
    expect(owner(first!)).toEqual(['Deployment/web']);
    expect(first?.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(first?.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const before = await podsOf('rs');
    expect(before).toHaveLength(2);
    for (const pod of before) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(owner(pod)).toEqual([`ReplicaSet/web-${hash}`]);
      expect(pod.status).toMatchObject({ phase: 'Running', containerStatuses: [{ name: 'app', image: IMAGE_1, ready: true }] });
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    expect((await readDeployment('rs')()).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'rs', body: { metadata: { annotations: { 'kubernetes.io/change-cause': 'to 2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await setImage('rs', IMAGE_2);
    await eventually(readDeployment('rs'), rolledOut);
    const after = await podsOf('rs');
    expect(after.map((p) => p.spec?.containers[0]?.image)).toEqual([IMAGE_2, IMAGE_2]);
    expect(after.map((p) => p.metadata?.name)).not.toEqual(expect.arrayContaining(before.map((p) => p.metadata?.name)));
    const sets = (await apps.listNamespacedReplicaSet({ namespace: 'rs' })).items;
    const revisions = Object.fromEntries(sets.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs.spec?.replicas]));
    expect(revisions).toEqual({ '1': 0, '2': 2 });
    expect(sets.find((rs) => rs.spec?.replicas === 2)?.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('to 2');
    expect((await readDeployment('rs')()).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    // Back to the first template: its ReplicaSet comes back as revision 3.
    await setImage('rs', IMAGE_1);
    await eventually(readDeployment('rs'), rolledOut);
    const again = await apps.readNamespacedReplicaSet({ name: `web-${hash}`, namespace: 'rs' });
    expect(again.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(again.spec?.replicas).toBe(2);
  });

  it('keeps the old pods and adds pods that never get ready while a rollout fails', async () => {
    sim.seedDeployment({ namespace: 'stuck', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    await setImage('stuck', 'registry.example/web:fail-rollout');
    await eventually(readDeployment('stuck'), (d) => d.status?.updatedReplicas === 2);
    const pods = await podsOf('stuck');
    const phases = pods.map((p) => [p.spec?.containers[0]?.image, p.status?.phase, p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? 'running']).sort();
    expect(phases).toEqual([
      [IMAGE_1, 'Running', 'running'],
      [IMAGE_1, 'Running', 'running'],
      ['registry.example/web:fail-rollout', 'Pending', 'ImagePullBackOff'],
      ['registry.example/web:fail-rollout', 'Pending', 'ImagePullBackOff'],
    ]);
    const waiting = pods.find((p) => p.status?.phase === 'Pending')!;
    const error = (await core.readNamespacedPodLog({ name: waiting.metadata!.name!, namespace: 'stuck' }).catch((e: unknown) => e)) as { code: number; body: string };
    expect(error.code).toBe(400);
    expect(JSON.parse(error.body).message).toContain('is waiting to start: trying and failing to pull image');
    const events = (await core.listNamespacedEvent({ namespace: 'stuck', fieldSelector: `involvedObject.name=${waiting.metadata!.name},type=Warning` })).items;
    expect(events.map((e) => e.reason)).toEqual(['Failed']);
  });

  it('replaces a deleted pod, and deletes a deployment with its ReplicaSets and pods', async () => {
    sim.seedDeployment({ namespace: 'gc', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    const [victim, survivor] = await podsOf('gc');
    const deleted = await core.deleteNamespacedPod({ name: victim!.metadata!.name!, namespace: 'gc' });
    expect(deleted.metadata?.name).toBe(victim?.metadata?.name);
    const replaced = await podsOf('gc');
    expect(replaced).toHaveLength(2);
    expect(replaced.map((p) => p.metadata?.name)).toContain(survivor?.metadata?.name);
    expect(replaced.map((p) => p.metadata?.name)).not.toContain(victim?.metadata?.name);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'gc', body: { propagationPolicy: 'Background' } });
    expect((await apps.listNamespacedDeployment({ namespace: 'gc' })).items).toEqual([]);
    expect((await apps.listNamespacedReplicaSet({ namespace: 'gc' })).items).toEqual([]);
    expect(await podsOf('gc')).toEqual([]);
    const again = (await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'gc' }).catch((e: unknown) => e)) as { code: number };
    expect(again.code).toBe(404);
  });

  it('orphans the ReplicaSets and pods with propagationPolicy Orphan', async () => {
    sim.seedDeployment({ namespace: 'orphan', name: 'web', container: 'app', image: IMAGE_1 });
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'orphan', propagationPolicy: 'Orphan' });
    const [rs] = (await apps.listNamespacedReplicaSet({ namespace: 'orphan' })).items;
    expect(rs?.metadata?.ownerReferences).toBeUndefined();
    const pods = await podsOf('orphan');
    expect(pods.map(owner)).toEqual([[`ReplicaSet/${rs?.metadata?.name}`]]);
  });

  it('reads and writes the scale subresource', async () => {
    sim.seedDeployment({ namespace: 'scale', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'scale' });
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'scale', body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const scaled = await eventually(readDeployment('scale'), rolledOut);
    expect(scaled.spec?.replicas).toBe(3);
    expect(await podsOf('scale')).toHaveLength(3);

    const current = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'scale' });
    await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 'scale', body: { ...current, spec: { replicas: 1 } } });
    await eventually(readDeployment('scale'), rolledOut);
    expect(await podsOf('scale')).toHaveLength(1);
    const stale = (await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 'scale', body: { ...current, spec: { replicas: 4 } } }).catch((e: unknown) => e)) as { code: number };
    expect(stale.code).toBe(409);
    const invalid = (await apps
      .patchNamespacedDeploymentScale({ name: 'web', namespace: 'scale', body: { spec: { replicas: -1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
      .catch((e: unknown) => e)) as { code: number };
    expect(invalid.code).toBe(422);
  });

  it('runs a job: one pod, then Complete, with logs that show the image and command', async () => {
    await core.createNamespace({ body: { metadata: { name: 'jobs' } } });
    const created = await batch.createNamespacedJob({ namespace: 'jobs', body: { metadata: { name: 'smoke' }, spec: jobSpec('registry.example/check:1') } });
    const uid = created.metadata!.uid!;
    expect(created.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } } });
    expect(created.spec?.template.metadata?.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'smoke', 'job-name': 'smoke', 'controller-uid': uid });
    expect(created.status).toMatchObject({ active: 1 });

    const done = await eventually(() => batch.readNamespacedJob({ name: 'smoke', namespace: 'jobs' }), (j) => jobCondition(j) !== undefined);
    expect(jobCondition(done)).toMatchObject({ type: 'Complete', status: 'True' });
    expect(done.status).toMatchObject({ succeeded: 1 });
    expect(done.status?.completionTime).toBeDefined();
    const [pod] = await podsOf('jobs', 'job-name=smoke');
    expect(pod?.metadata?.name).toMatch(/^smoke-[a-z0-9]{5}$/);
    expect(pod?.status?.phase).toBe('Succeeded');
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const log = await core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: 'jobs' });
    expect(log).toBe(
      [
        'simulator: container "check" started from image "registry.example/check:1"',
        'simulator: running: echo checking it',
        'checking it',
        'simulator: container "check" exited with code 0',
        '',
      ].join('\n'),
    );
    expect(await core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: 'jobs', tailLines: 1 })).toBe('simulator: container "check" exited with code 0\n');
    const reasons = (await core.listNamespacedEvent({ namespace: 'jobs', fieldSelector: 'involvedObject.kind=Job,involvedObject.name=smoke' })).items.map((e) => e.reason);
    expect(reasons).toEqual(['SuccessfulCreate', 'Completed']);

    await batch.deleteNamespacedJob({ name: 'smoke', namespace: 'jobs', propagationPolicy: 'Background' });
    expect(await podsOf('jobs')).toEqual([]);
  });

  it('fails a job whose image contains fail-check, and one past its activeDeadlineSeconds', async () => {
    await core.createNamespace({ body: { metadata: { name: 'failing-jobs' } } });
    await batch.createNamespacedJob({ namespace: 'failing-jobs', body: { metadata: { name: 'bad' }, spec: jobSpec('registry.example/check:fail-check') } });
    const failed = await eventually(() => batch.readNamespacedJob({ name: 'bad', namespace: 'failing-jobs' }), (j) => jobCondition(j) !== undefined);
    expect(jobCondition(failed)).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(failed.status).toMatchObject({ failed: 1 });
    expect(failed.status?.succeeded).toBeUndefined();
    const [pod] = await podsOf('failing-jobs', 'job-name=bad');
    expect(pod?.status?.phase).toBe('Failed');
    const log = await core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: 'failing-jobs', tailLines: 2 });
    expect(log).toBe('check failed: image "registry.example/check:fail-check" is marked fail-check, so the simulator fails it\nsimulator: container "check" exited with code 1\n');

    const slow = await startKubernetesSimulator({ token: TOKEN, jobDurationMs: 60_000 });
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(kubeconfigYaml(slow.url, TOKEN));
      const slowBatch = kubeConfig.makeApiClient(BatchV1Api);
      await slowBatch.createNamespacedJob({ namespace: 'default', body: { metadata: { name: 'late' }, spec: jobSpec('registry.example/check:1', { activeDeadlineSeconds: 1 }) } });
      const late = await eventually(() => slowBatch.readNamespacedJob({ name: 'late', namespace: 'default' }), (j) => jobCondition(j) !== undefined, 3000);
      expect(jobCondition(late)).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' });
    } finally {
      await slow.close();
    }
  });

  it('follows the log of a running job pod until its container exits', async () => {
    const slow = await startKubernetesSimulator({ token: TOKEN, jobDurationMs: 300 });
    try {
      const create = await fetch(`${slow.url}/apis/batch/v1/namespaces/default/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'follow' }, spec: jobSpec('registry.example/check:1') }),
      });
      const job = (await create.json()) as V1Job;
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(kubeconfigYaml(slow.url, TOKEN));
      const [pod] = (await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default', labelSelector: `controller-uid=${job.metadata?.uid}` })).items;
      const started = Date.now();
      const response = await fetch(`${slow.url}/api/v1/namespaces/default/pods/${pod?.metadata?.name}/log?follow=true&timestamps=true`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await response.text();
      expect(Date.now() - started).toBeGreaterThan(150); // it waited for the exit
      expect(text.split('\n').map((line) => line.replace(/^\S+ /, ''))).toEqual([
        'simulator: container "check" started from image "registry.example/check:1"',
        'simulator: running: echo checking it',
        'checking it',
        'simulator: container "check" exited with code 0',
        '',
      ]);
      expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000000Z /);
    } finally {
      await slow.close();
    }
  });

  it('rejects a job without a restartPolicy of Never or OnFailure, and bad log requests', async () => {
    const invalid = (await batch
      .createNamespacedJob({ namespace: 'default', body: { metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } } })
      .catch((e: unknown) => e)) as { code: number; body: string };
    expect(invalid.code).toBe(422);
    expect(JSON.parse(invalid.body).message).toContain('restartPolicy');

    const created = await batch.createNamespacedJob({
      namespace: 'default',
      body: { metadata: { name: 'two' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'i:1' }, { name: 'b', image: 'i:2' }] } } } },
    });
    const [pod] = await podsOf('default', `batch.kubernetes.io/controller-uid=${created.metadata?.uid}`);
    const name = pod!.metadata!.name!;
    const ambiguous = (await core.readNamespacedPodLog({ name, namespace: 'default' }).catch((e: unknown) => e)) as { code: number; body: string };
    expect(ambiguous.code).toBe(400);
    expect(JSON.parse(ambiguous.body).message).toContain('choose one of: [a b]');
    expect(await core.readNamespacedPodLog({ name, namespace: 'default', container: 'b' })).toContain('image "i:2"');
    expect(((await core.readNamespacedPodLog({ name, namespace: 'default', container: 'c' }).catch((e: unknown) => e)) as { code: number }).code).toBe(400);
  });

  it('records events for the deployment, its ReplicaSet and pods, found by field selector', async () => {
    sim.seedDeployment({ namespace: 'events', name: 'web', container: 'app', image: IMAGE_1, replicas: 1 });
    const deployment = await readDeployment('events')();
    const selector = `involvedObject.name=web,involvedObject.namespace=events,involvedObject.kind=Deployment,involvedObject.uid=${deployment.metadata?.uid}`;
    const events = (await core.listNamespacedEvent({ namespace: 'events', fieldSelector: selector })).items;
    expect(events.map((e) => [e.type, e.reason, e.source?.component])).toEqual([['Normal', 'ScalingReplicaSet', 'deployment-controller']]);
    expect(events[0]?.message).toMatch(/^Scaled up replica set web-[a-z0-9]+ to 1 from 0$/);
    const all = (await core.listNamespacedEvent({ namespace: 'events' })).items;
    expect(new Set(all.map((e) => e.reason))).toEqual(new Set(['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Pulled', 'Created', 'Started']));
    const bad = (await core.listNamespacedEvent({ namespace: 'events', labelSelector: 'a in b' }).catch((e: unknown) => e)) as { code: number };
    expect(bad.code).toBe(400);
  });

  it('filters lists by label selector', async () => {
    sim.seedDeployment({ namespace: 'labels', name: 'web', container: 'app', image: IMAGE_1, replicas: 1 });
    sim.seedDeployment({ namespace: 'labels', name: 'api', container: 'app', image: IMAGE_1, replicas: 2 });
    const names = async (labelSelector: string) => (await podsOf('labels', labelSelector)).map((p: V1Pod) => p.metadata?.labels?.app).sort();
    expect(await names('app=api')).toEqual(['api', 'api']);
    expect(await names('app in (web,api)')).toEqual(['api', 'api', 'web']);
    expect(await names('app!=api')).toEqual(['web']);
    expect(await names('app notin (web),pod-template-hash')).toEqual(['api', 'api']);
    expect(await names('!app')).toEqual([]);
  });
});

describe('Kubernetes API simulator workload state', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-workloads-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const clients = (sim: KubernetesSimulator) => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml(sim.url, TOKEN));
    return { apps: kubeConfig.makeApiClient(AppsV1Api), batch: kubeConfig.makeApiClient(BatchV1Api), core: kubeConfig.makeApiClient(CoreV1Api) };
  };
  const names = (list: { items: { metadata?: { name?: string; uid?: string } }[] }) => list.items.map((o) => `${o.metadata?.name} ${o.metadata?.uid}`);

  it('persists ReplicaSets, pods and jobs but not events, and finishes a job that was running', async () => {
    const statePath = join(dir, 'state.json');
    const options = { token: TOKEN, statePath, rolloutDelayMs: 0, jobDurationMs: 400 };
    const first = await startKubernetesSimulator(options);
    let before: { rs: string[]; pods: string[] };
    try {
      first.seedDeployment({ namespace: 'keep', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
      const { apps, batch, core } = clients(first);
      await batch.createNamespacedJob({ namespace: 'keep', body: { metadata: { name: 'late' }, spec: jobSpec('registry.example/check:1') } });
      before = { rs: names(await apps.listNamespacedReplicaSet({ namespace: 'keep' })), pods: names(await core.listNamespacedPod({ namespace: 'keep' })) };
      expect(before.pods).toHaveLength(3);
      expect((await core.listNamespacedEvent({ namespace: 'keep' })).items.length).toBeGreaterThan(0);
    } finally {
      await first.close();
    }
    const saved = JSON.parse(await readFile(statePath, 'utf8')) as { objects: Record<string, unknown[]> };
    expect(Object.keys(saved.objects).sort()).toEqual(['configmaps', 'deployments', 'jobs', 'namespaces', 'pods', 'replicasets', 'secrets']);

    const second = await startKubernetesSimulator(options);
    try {
      const { apps, batch, core } = clients(second);
      expect(names(await apps.listNamespacedReplicaSet({ namespace: 'keep' }))).toEqual(before.rs);
      expect(names(await core.listNamespacedPod({ namespace: 'keep' }))).toEqual(before.pods);
      expect((await core.listNamespacedEvent({ namespace: 'keep' })).items.filter((e) => e.involvedObject.kind !== 'Job' && e.involvedObject.kind !== 'Pod')).toEqual([]);
      const job = await eventually(() => batch.readNamespacedJob({ name: 'late', namespace: 'keep' }), (j) => jobCondition(j) !== undefined);
      expect(jobCondition(job)?.type).toBe('Complete');
    } finally {
      await second.close();
    }
  });

  it('builds the ReplicaSets and pods of deployments from a state file that has none', async () => {
    const statePath = join(dir, 'legacy.json');
    const first = await startKubernetesSimulator({ token: TOKEN, statePath });
    first.seedDeployment({ namespace: 'old', name: 'web', container: 'app', image: IMAGE_1, replicas: 2 });
    await first.close();
    const saved = JSON.parse(await readFile(statePath, 'utf8')) as { objects: Record<string, unknown> };
    delete saved.objects.replicasets;
    delete saved.objects.pods;
    delete saved.objects.jobs;
    await writeFile(statePath, JSON.stringify(saved));

    const second = await startKubernetesSimulator({ token: TOKEN, statePath });
    try {
      const { apps, core } = clients(second);
      const [rs] = (await apps.listNamespacedReplicaSet({ namespace: 'old' })).items;
      expect(rs?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
      expect((await core.listNamespacedPod({ namespace: 'old' })).items.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
    } finally {
      await second.close();
    }
  });
});
