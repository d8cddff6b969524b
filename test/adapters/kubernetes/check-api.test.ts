import type { V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesApiError, KubernetesRestClient, restCheckApi, type CheckApi } from '../../../functions/adapters/kubernetes';
import { type KubernetesSimulator, startKubernetesSimulator } from '../../../local/k8s-simulator';

const TOKEN = 'check-api-token';

const job = (name: string): V1Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default', labels: { 'gatekeeper.dev/check': 'smoke' } },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'check', image: 'registry.example/smoke:1' }] } } },
});

/**
 * Each call the run-checks function makes (check-api.ts), on the wire to the
 * Kubernetes simulator: the checks' own tests exercise them through the
 * runners, where a failed delete is deliberately ignored; here each answer is
 * checked.
 */
describe('CheckApi over the REST client, against the Kubernetes simulator', () => {
  let sim: KubernetesSimulator;
  let client: KubernetesRestClient;
  let api: CheckApi;

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ token: TOKEN, jobDurationMs: 50 });
    client = new KubernetesRestClient({ server: sim.url, token: () => TOKEN });
    api = restCheckApi(client);
  });
  afterAll(async () => {
    client?.close();
    await sim?.close();
  });

  it('creates and reads a Job, lists its pod by label and reads its log as text', async () => {
    expect(api.server).toBe(sim.url);
    const created = await api.createJob('default', job('gk-smoke-abcde'));
    expect(created.metadata?.name).toBe('gk-smoke-abcde');
    await expect.poll(async () => (await api.readJob('default', 'gk-smoke-abcde')).status?.conditions?.find((c) => c.status === 'True')?.type, { timeout: 5000 }).toBe('Complete');
    const pods = await api.listPods('default', 'job-name=gk-smoke-abcde');
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0]!.metadata!.name!;
    expect((await api.listPods('default', 'job-name=someone-else')).items).toEqual([]);
    const log = await api.readPodLog('default', pod, { container: 'check', tailLines: 40 });
    expect(typeof log).toBe('string');
    expect(log.length).toBeGreaterThan(0);
  });

  it('deletes a Job (propagationPolicy Background): reading it afterwards is a 404', async () => {
    await api.createJob('default', job('gk-smoke-fghij'));
    await api.deleteJob('default', 'gk-smoke-fghij');
    const error = await api.readJob('default', 'gk-smoke-fghij').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).code).toBe(404);
  });

  it('reads a Secret, and answers 404 for one that does not exist', async () => {
    await client.request('POST', '/api/v1/namespaces/default/secrets', {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'probe' }, data: { token: Buffer.from('s3cret').toString('base64') } },
    });
    const secret = await api.readSecret('default', 'probe');
    expect(Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8')).toBe('s3cret');
    const missing = await api.readSecret('default', 'nope').catch((e: unknown) => e);
    expect((missing as KubernetesApiError).code).toBe(404);
  });
});
