import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, approvalLink, imageFor, linkClaim, mailbox, type ReleaseJson, type StoredEmail } from '../support/clients';
import { binaryAvailable, requireBinary } from '../support/binaries';
import { PROMETHEUS, startExporter, startPrometheus, waitForValue } from '../support/prometheus';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * S12 and the checks of S1 on the seeded hello-api: staging (a post-deployment
 * smoke-test job) then prod-eu (cluster eu) and prod-us (cluster us) in
 * parallel, each needing one approval from the release managers.
 */
let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;
let mail: ReturnType<typeof mailbox>;
let seed = Date.now();

const HELLO_API = 'registry.example.com/hello-api';
const INITIAL = `${HELLO_API}@sha256:${'0'.repeat(63)}1`;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
  admin = api(stack, stack.adminToken);
  mail = mailbox(stack);
});
afterAll(() => stack?.close());

/** What a Deployment runs in one of the two simulated clusters, through the real client and the kubeconfig's context. */
async function running(cluster: 'eu' | 'us', namespace: string, name = 'hello-api', container = 'api'): Promise<string | undefined> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.kubeconfigPath);
  kubeConfig.setCurrentContext(cluster);
  const deployment = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace });
  return deployment.spec?.template.spec?.containers.find((c) => c.name === container)?.image;
}

async function startApiRelease(image = imageFor(seed++, HELLO_API)) {
  const created = await ci.startRelease({ app: 'hello-api', image, comment: 'fan out' });
  expect(created.status).toBe(201);
  return { id: String(created.json.id), image };
}

/** The approval emails of one release to one environment (the link's claim names the release). */
async function emailsFor(id: string, environment: string, count = 2): Promise<StoredEmail[]> {
  return mail.waitFor((e) => e.subject.includes(`hello-api → ${environment} (`) && linkClaim(e).r === id, count);
}

async function decide(emails: StoredEmail[], approver: string, decision: 'approve' | 'reject', comment?: string) {
  const email = emails.find((e) => e.destination.to.includes(approver));
  if (!email) throw new Error(`no email to ${approver}`);
  const response = await fetch(approvalLink(email), { method: 'POST', body: new URLSearchParams({ decision, ...(comment ? { comment } : {}) }) });
  expect(response.status).toBe(200);
}

const stageOf = (release: ReleaseJson, environment: string) => release.stages.find((s) => s.environment === environment);
const statuses = (release: ReleaseJson) => release.stages.map((s) => [s.environment, s.status]);

async function waitForStage(id: string, environment: string, wanted: string[], timeoutMs = 20_000): Promise<ReleaseJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = await ci.release(id);
    if (wanted.includes(stageOf(release, environment)?.status ?? 'pending')) return release;
    if (Date.now() > deadline) throw new Error(`${environment} of ${id} is ${stageOf(release, environment)?.status}: ${JSON.stringify(release.stages)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces one hello-api environment's policy for the length of `work`. */
async function withPolicy<T>(environment: string, policy: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const before = (await admin.call('GET', `/v1/apps/hello-api/envs/${environment}/policy`)).json;
  expect((await admin.call('PUT', `/v1/apps/hello-api/envs/${environment}/policy`, policy)).status).toBe(200);
  try {
    return await work();
  } finally {
    const { policy: stored } = before as { policy: Record<string, unknown> };
    await admin.call('PUT', `/v1/apps/hello-api/envs/${environment}/policy`, stored);
  }
}

describe('a fan-out pipeline (hello-api)', () => {
  it.each([
    ['prod-us', 'prod-eu'],
    ['prod-eu', 'prod-us'],
  ])('asks each environment separately after staging and its checks, and deploys each when approved (%s first)', async (first, second) => {
    const { id, image } = await startApiRelease();
    const waiting = await ci.waitForStatus(id, ['waiting_for_approval']);
    const prodEu = await emailsFor(id, 'prod-eu');
    const prodUs = await emailsFor(id, 'prod-us');
    // One email per approver per environment, naming it, with staging's evidence.
    expect(prodEu.flatMap((e) => e.destination.to).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    expect(prodUs.flatMap((e) => e.destination.to).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    expect(prodUs[0]?.body.text).toContain('staging checks');
    expect(prodUs[0]?.body.text).toMatch(/passed: smoke-test \(job, post\)/);
    const staging = stageOf(waiting, 'staging');
    expect(staging).toMatchObject({ status: 'succeeded', checks: [{ name: 'smoke-test', kind: 'job', phase: 'post', passed: true }] });
    expect(staging?.checks?.[0]?.logTail).toContain('simulator: running: /bin/smoke-test --target http://hello-api');

    await decide(first === 'prod-eu' ? prodEu : prodUs, 'alice@example.com', 'approve');
    const half = await waitForStage(id, first, ['succeeded']);
    // The other one still waits, so the release does.
    expect(half.status).toBe('waiting_for_approval');
    expect(stageOf(half, second)?.status).toBe('waiting_for_approval');
    expect(stageOf(half, first)?.approvedBy).toEqual(['alice@example.com']);

    await decide(second === 'prod-eu' ? prodEu : prodUs, 'bob@example.com', 'approve');
    const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'rejected']);
    expect(done.status).toBe('succeeded');
    expect(statuses(done)).toEqual([
      ['staging', 'succeeded'],
      ['prod-eu', 'succeeded'],
      ['prod-us', 'succeeded'],
    ]);
    expect(await running('eu', 'hello-api-staging')).toBe(image);
    expect(await running('eu', 'hello-api-prod')).toBe(image);
    expect(await running('us', 'hello-api-prod')).toBe(image);
  });

  it('one prod approved and deployed, the other rejected: the release ends rejected and its stages say where the image runs', async () => {
    const before = await running('us', 'hello-api-prod');
    const { id, image } = await startApiRelease();
    await ci.waitForStatus(id, ['waiting_for_approval']);
    await decide(await emailsFor(id, 'prod-eu'), 'alice@example.com', 'approve');
    await waitForStage(id, 'prod-eu', ['succeeded']);
    await decide(await emailsFor(id, 'prod-us'), 'bob@example.com', 'reject', 'not in the US yet');
    const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'rejected']);
    expect(done.status).toBe('rejected');
    expect(statuses(done)).toEqual([
      ['staging', 'succeeded'],
      ['prod-eu', 'succeeded'],
      ['prod-us', 'rejected'],
    ]);
    expect(done.reason).toMatch(/^prod-us: was rejected \(.*not in the US yet\)$/);
    expect(await running('eu', 'hello-api-prod')).toBe(image);
    expect(await running('us', 'hello-api-prod')).toBe(before);
  });

  it('a rejection cancels the sibling still waiting, with the reason', async () => {
    const { id } = await startApiRelease();
    await ci.waitForStatus(id, ['waiting_for_approval']);
    await decide(await emailsFor(id, 'prod-us'), 'bob@example.com', 'reject', 'no');
    const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'rejected', 'cancelled']);
    expect(done.status).toBe('rejected');
    expect(statuses(done)).toEqual([
      ['staging', 'succeeded'],
      ['prod-eu', 'cancelled'],
      ['prod-us', 'rejected'],
    ]);
    expect(stageOf(done, 'prod-eu')?.detail).toMatch(/the release stopped because "prod-us" was rejected/);
  });

  it('a failing post-deployment check in staging rolls staging back, fails the release, and asks nobody downstream', async () => {
    const { id, image } = await startApiRelease(imageFor(seed++, `${HELLO_API}-fail-check`));
    const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'rejected', 'waiting_for_approval'], 30_000);
    expect(done.status).toBe('failed');
    expect(statuses(done)).toEqual([
      ['staging', 'rolled_back'],
      ['prod-eu', 'cancelled'],
      ['prod-us', 'cancelled'],
    ]);
    const staging = stageOf(done, 'staging');
    expect(staging?.checks?.[0]).toMatchObject({ name: 'smoke-test', passed: false });
    expect(staging?.checks?.[0]?.logTail).toMatch(/exited with code 1/);
    expect(stageOf(done, 'prod-eu')?.detail).toBe('"prod-eu" cannot start because "staging" was rolled back');
    expect(done.reason).toMatch(/^staging: failed and was rolled back \(CheckFailed: post-deployment check "smoke-test" \(job\) failed/);
    expect(done.approvals).toEqual([]);
    expect(await running('eu', 'hello-api-staging')).not.toBe(image);
    // Recorded as a failed deployment (DORA change failure rate) with the check's evidence.
    const history = (await ci.call('GET', '/v1/apps/hello-api/envs/staging/deployments?limit=2')).json as { deployments: Array<{ releaseId: string; result: string; reason?: string; type: string }> };
    const failed = history.deployments.find((d) => d.releaseId === id && d.type === 'release');
    expect(failed).toMatchObject({ result: 'rolled_back', reason: expect.stringContaining('smoke-test') });
  });

  it('a failing post-deployment check in prod-us rolls prod-us back while prod-eu keeps the new image', async () => {
    const verify = { name: 'verify-us', kind: 'job', phase: 'post', image: `registry.example.com/verify-fail-check@sha256:${'1'.repeat(64)}`, command: ['verify'], timeoutSeconds: 60 };
    await withPolicy('prod-us', { required: 1, checks: [verify] }, async () => {
      const before = await running('us', 'hello-api-prod');
      const { id, image } = await startApiRelease();
      await ci.waitForStatus(id, ['waiting_for_approval']);
      await decide(await emailsFor(id, 'prod-us'), 'bob@example.com', 'approve');
      await decide(await emailsFor(id, 'prod-eu'), 'alice@example.com', 'approve');
      const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'rejected'], 30_000);
      expect(done.status).toBe('failed');
      expect(statuses(done)).toEqual([
        ['staging', 'succeeded'],
        ['prod-eu', 'succeeded'],
        ['prod-us', 'rolled_back'],
      ]);
      expect(stageOf(done, 'prod-us')?.checks?.[0]).toMatchObject({ name: 'verify-us', passed: false });
      expect(await running('eu', 'hello-api-prod')).toBe(image);
      expect(await running('us', 'hello-api-prod')).toBe(before);
    });
  });

  it('an http pre-deployment check: passes, then stops the environment before anything changes when it fails', async () => {
    let answer = { status: 200, body: '{"status":"ok"}' };
    const server: Server = createServer((_, response) => response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    const health = { name: 'dependencies-up', kind: 'http', phase: 'pre', url, expectStatus: 200, jsonPath: { path: '$.status', equals: 'ok' }, windowSeconds: 2, intervalSeconds: 1 };
    try {
      await withPolicy('staging', { required: 0, checks: [health] }, async () => {
        const passing = await startApiRelease();
        const ok = await waitForStage(passing.id, 'staging', ['succeeded', 'failed']);
        expect(stageOf(ok, 'staging')?.checks).toMatchObject([{ name: 'dependencies-up', kind: 'http', phase: 'pre', passed: true }]);
        await ci.call('POST', `/v1/releases/${passing.id}/cancel`);

        answer = { status: 503, body: '{"status":"down"}' };
        const before = await running('eu', 'hello-api-staging');
        const failing = await startApiRelease();
        const done = await ci.waitForStatus(failing.id, ['failed', 'succeeded', 'waiting_for_approval'], 20_000);
        expect(done.status).toBe('failed');
        expect(stageOf(done, 'staging')).toMatchObject({ status: 'failed', checks: [{ name: 'dependencies-up', passed: false }] });
        expect(stageOf(done, 'staging')?.deployStartedAt).toBeUndefined();
        expect(await running('eu', 'hello-api-staging')).toBe(before);
      });
    } finally {
      server.close();
    }
  });
});

const PROMETHEUS_RUNS = binaryAvailable(PROMETHEUS, 'prometheus', 'Prometheus pipeline checks');

describe.skipIf(!PROMETHEUS_RUNS)('a prometheus post-deployment check against a real Prometheus', () => {
  it('passes while the error ratio is low and rolls back once it is not', async () => {
    requireBinary(PROMETHEUS, 'prometheus');
    const exporter = await startExporter('# TYPE http_errors_ratio gauge\nhttp_errors_ratio 0.001\n');
    const prometheus = await startPrometheus([exporter.target]);
    try {
      await waitForValue(prometheus.url, 'http_errors_ratio');
      const errors = { name: 'error-ratio', kind: 'prometheus', phase: 'post', url: prometheus.url, query: 'http_errors_ratio', threshold: { op: '<', value: 0.01 }, count: 2, intervalSeconds: 1 };
      await withPolicy('staging', { required: 0, checks: [errors] }, async () => {
        const good = await startApiRelease();
        const ok = await waitForStage(good.id, 'staging', ['succeeded', 'rolled_back', 'failed'], 30_000);
        expect(stageOf(ok, 'staging')).toMatchObject({ status: 'succeeded', checks: [{ name: 'error-ratio', passed: true, observations: [0.001, 0.001] }] });
        await ci.call('POST', `/v1/releases/${good.id}/cancel`);

        exporter.set('# TYPE http_errors_ratio gauge\nhttp_errors_ratio 0.2\n');
        await waitForValue(prometheus.url, 'http_errors_ratio', (value) => value > 0.1);
        const bad = await startApiRelease();
        const done = await ci.waitForStatus(bad.id, ['failed', 'succeeded', 'waiting_for_approval'], 30_000);
        expect(done.status).toBe('failed');
        expect(stageOf(done, 'staging')).toMatchObject({ status: 'rolled_back', checks: [{ name: 'error-ratio', passed: false }] });
        expect(await running('eu', 'hello-api-staging')).not.toBe(bad.image);
      });
    } finally {
      await prometheus.stop();
      await exporter.close();
    }
  }, 60_000);
});

describe('a three-environment chain', () => {
  it('deploys qa, then staging, then prod, each after the one before succeeded', async () => {
    const environments = ['qa', 'staging', 'prod'].map((name, i, all) => ({
      name,
      after: i === 0 ? [] : [all[i - 1]],
      namespace: `chain-${name}`,
      deployment: 'chain',
      container: 'app',
      policy: { required: 0 },
    }));
    for (const env of environments) stack.clusters.eu.seedDeployment({ namespace: env.namespace, name: 'chain', container: 'app', image: INITIAL.replace('hello-api', 'chain'), replicas: 1 });
    expect((await admin.call('PUT', '/v1/apps/chain', { environments })).status).toBe(201);
    expect((await admin.call('POST', '/v1/directory/grants', { subject: { user: 'ci:hello-web-pipeline' }, role: 'deployer', app: 'chain', environment: '*' })).status).toBe(201);
    const image = imageFor(seed++, 'registry.example.com/chain');
    const created = await ci.startRelease({ app: 'chain', image });
    expect(created.status).toBe(201);
    const done = await ci.waitForStatus(String(created.json.id), ['succeeded', 'failed'], 20_000);
    expect(done.status).toBe('succeeded');
    expect(statuses(done)).toEqual([
      ['qa', 'succeeded'],
      ['staging', 'succeeded'],
      ['prod', 'succeeded'],
    ]);
    const [qa, staging, prod] = done.stages;
    expect(Date.parse(staging?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(qa?.finishedAt ?? ''));
    expect(Date.parse(prod?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(staging?.finishedAt ?? ''));
    for (const env of environments) expect(await running('eu', env.namespace, 'chain', 'app')).toBe(image);
  });
});
