import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobCheckRunner, jobName } from '../../functions/adapters/checks';
import { KubernetesRestClient, restCheckApi } from '../../functions/adapters/kubernetes';
import { parseChecks } from '../../functions/domain/check-definitions';
import type { CheckContext, JobCheck } from '../../functions/domain/checks';
import { ClusterUnreachableError } from '../../functions/domain/errors';
import { type Job, type KubernetesSimulator, type Pod, startKubernetesSimulator } from '../../local/k8s-simulator';

const TOKEN = 'checks-job-token';
const context: CheckContext = { app: 'shop', environment: 'staging', namespace: 'default', image: 'registry.example/shop:1', releaseId: 'rel_01J0ABCDEF' };
const jobCheck = (fields: Record<string, unknown>): JobCheck => parseChecks([{ name: 'smoke', phase: 'post', kind: 'job', ...fields }])[0] as JobCheck;
/** Fast polling and quick give-up on an unanswered request: the simulator answers in milliseconds. */
const runnerFor = (sim: KubernetesSimulator) => {
  const api = restCheckApi(new KubernetesRestClient({ server: sim.url, token: () => TOKEN }));
  return new JobCheckRunner({
    checkApiFor: () => api,
    pollMs: 25,
    requestTimeoutMs: 1000,
    transportAttempts: 2,
    transportRetryDelayMs: 5,
  });
};

/** Reads from the simulator's API with its token. */
async function list<T>(sim: KubernetesSimulator, path: string): Promise<T[]> {
  const response = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await response.json()) as { items: T[] }).items;
}

describe('JobCheckRunner against the Kubernetes simulator', () => {
  let sim: KubernetesSimulator;
  let runner: JobCheckRunner;

  beforeAll(async () => {
    sim = await startKubernetesSimulator({ token: TOKEN, jobDurationMs: 150 });
    runner = runnerFor(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.clearFaults());

  it('runs a Job that succeeds, labelled and bounded, and keeps its log', async () => {
    const check = jobCheck({ command: ['echo', 'smoke ok'], env: { TARGET: 'http://web' }, timeoutSeconds: 30 });
    const result = await runner.run(check, context);
    expect(result).toMatchObject({ name: 'smoke', kind: 'job', phase: 'post', passed: true, summary: expect.stringMatching(/^job smoke succeeded in [01] s$/) });
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(result.logTail).toBe(
      ['simulator: container "check" started from image "registry.example/shop:1"', "simulator: running: echo 'smoke ok'", 'smoke ok', 'simulator: container "check" exited with code 0'].join('\n'),
    );

    const jobs = await list<Job>(sim, '/apis/batch/v1/namespaces/default/jobs?labelSelector=gatekeeper.dev/check=smoke');
    const job = jobs.at(-1)!;
    expect(job.metadata.name).toMatch(/^gk-smoke-[a-z0-9]{5}$/);
    expect(job.metadata.labels).toMatchObject({ 'gatekeeper.dev/release': 'rel_01J0ABCDEF', 'gatekeeper.dev/check': 'smoke' });
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 30 });
    const container = job.spec.template.spec.containers[0]!;
    expect(container).toMatchObject({ name: 'check', image: context.image, command: ['echo', 'smoke ok'], env: [{ name: 'TARGET', value: 'http://web' }] });
    const pods = await list<Pod>(sim, `/api/v1/namespaces/default/pods?labelSelector=job-name=${job.metadata.name}`);
    expect(pods[0]?.metadata.labels).toMatchObject({ 'gatekeeper.dev/release': 'rel_01J0ABCDEF' });
  });

  it('fails when the Job fails, with the tail of its log', async () => {
    const result = await runner.run(jobCheck({ name: 'broken', image: 'registry.example/smoke:fail-check' }), context);
    expect(result).toMatchObject({ passed: false, summary: expect.stringMatching(/^job broken failed after [01] s \(exit code 1\)$/) });
    expect(result.logTail).toContain('check failed: image "registry.example/smoke:fail-check" is marked fail-check');
    expect(result.logTail).toMatch(/exited with code 1$/);
  });

  it('fails as timed out when the Job outlives its timeout, keeping what it logged', async () => {
    const slow = await startKubernetesSimulator({ token: TOKEN, jobDurationMs: 10_000 });
    try {
      const started = Date.now();
      const result = await runnerFor(slow).run(jobCheck({ timeoutSeconds: 1 }), context);
      expect(result).toMatchObject({ passed: false, summary: 'job smoke timed out after 1 s' });
      expect(result.logTail).toMatch(/exited with code 137$/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await slow.close();
    }
  });

  it('fails, saying why, when the cluster refuses the Job', async () => {
    const result = await runner.run(jobCheck({}), { ...context, namespace: 'no-such-namespace' });
    expect(result).toMatchObject({ passed: false, summary: expect.stringMatching(/^job smoke failed after 0 s \(the job could not be created: HTTP 404: namespaces "no-such-namespace" not found\)$/) });
  });

  it('rides out a dropped request, and throws ClusterUnreachableError when the API server does not answer', async () => {
    sim.setFaults({ unreachableFor: 1 });
    expect((await runner.run(jobCheck({}), context)).passed).toBe(true);

    sim.setFaults({ unreachable: true });
    const error = await runner.run(jobCheck({}), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).name).toBe('ClusterUnreachable');
    expect((error as Error).message).toMatch(/^the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ did not answer \(.+\); creating job default\/gk-smoke-[a-z0-9]{5} failed after 2 attempts$/);
  });

  it('names jobs gk-<check>-<5 random>, within 63 characters', () => {
    const long = 'a'.repeat(63);
    expect(jobName(long)).toMatch(/^gk-a{54}-[a-z0-9]{5}$/);
    expect(jobName(long)).toHaveLength(63);
    expect(jobName('smoke')).not.toBe(jobName('smoke'));
  });
});
