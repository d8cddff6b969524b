import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCheckRunner } from '../../functions/adapters/checks';
import { DynamoCatalogWriter } from '../../functions/adapters/dynamodb/catalog-writer';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { DynamoConfigStore } from '../../functions/adapters/dynamodb/config-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDeploymentStore } from '../../functions/adapters/dynamodb/deployment-store';
import { DynamoEnvironmentHealth } from '../../functions/adapters/dynamodb/environment-health';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { createCheckApis, createClusterDirectory } from '../../functions/adapters/kubernetes';
import type { Environment } from '../../functions/domain/catalog';
import { parseChecks } from '../../functions/domain/check-definitions';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import type { Release } from '../../functions/domain/release';
import { silentLogger } from '../../functions/observability/logger';
import { createDeployStep } from '../../functions/steps/deploy';
import { createRollbackStep } from '../../functions/steps/rollback';
import { createRunChecksStep, type RunChecksDeps } from '../../functions/steps/run-checks';
import { startKubernetesSimulator, type KubernetesSimulator } from '../../local/k8s-simulator';
import { ensureTable } from '../../local/tables';
import { imageFor } from '../support/clients';

// The run-checks step against the real stores (DynamoDB Local) and real job checks (createCheckRunner) run by the Kubernetes simulator.
const TOKEN = 'run-checks-test-token';
const FAILING_CHECK_IMAGE = 'registry.example/smoke:fail-check';
const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const releases = new DynamoReleaseStore(db, tableName);
const deployments = new DynamoDeploymentStore(db, tableName);
let cluster: KubernetesSimulator;
let dir: string;
let deps: RunChecksDeps;
let clock = new Date('2026-11-25T10:00:00Z');

/** One environment per scenario, each with its own namespace and Deployment `web`. */
function environment(name: string, checks: Array<Record<string, unknown>>): Environment {
  const bounded = checks.map((check) => ({ timeoutSeconds: 30, ...check }));
  return { app: 'shop', name, order: 0, after: [], target: { namespace: name, deployment: 'web', container: 'app' }, policy: { ...DEFAULT_POLICY, checks: parseChecks(bounded) } };
}
const ENVIRONMENTS = [
  environment('passing', [
    { name: 'ready', phase: 'pre', kind: 'job', command: ['echo', 'ready'] },
    { name: 'smoke', phase: 'post', kind: 'job', command: ['echo', 'smoke ok'] },
  ]),
  environment('post-fails', [{ name: 'smoke', phase: 'post', kind: 'job', image: FAILING_CHECK_IMAGE }]),
  environment('pre-fails', [
    { name: 'first', phase: 'pre', kind: 'job', command: ['echo', 'first'] },
    { name: 'gate', phase: 'pre', kind: 'job', image: FAILING_CHECK_IMAGE },
    { name: 'never', phase: 'pre', kind: 'job', command: ['echo', 'never'] },
  ]),
];

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), tableName);
  dir = await mkdtemp(join(tmpdir(), 'gatekeeper-run-checks-'));
  cluster = await startKubernetesSimulator({ token: TOKEN, rolloutDelayMs: 10, progressDeadlineMs: 200, jobDurationMs: 50 });
  for (const env of ENVIRONMENTS) cluster.seedDeployment({ namespace: env.name, name: 'web', container: 'app', image: imageFor('before') });
  await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  await new DynamoCatalogWriter(db, tableName).putApp(
    { name: 'shop', environments: ENVIRONMENTS.map((env, order) => ({ ...env, order })) },
    { id: randomUUID(), app: 'shop', actor: 'test', action: 'app.registered', subject: 'app/shop', at: clock.toISOString() },
  );
  const kubernetes = { KUBECONFIG_PATH: join(dir, 'kubeconfig'), ROLLOUT_TIMEOUT_SECONDS: 5, ROLLOUT_POLL_MS: 10 };
  deps = {
    releases,
    catalog: new DynamoCatalogStore(db, tableName),
    clock: () => clock,
    newId: randomUUID,
    log: silentLogger,
    configs: new DynamoConfigStore(db, tableName),
    health: new DynamoEnvironmentHealth(db, tableName),
    deployments,
    clusters: createClusterDirectory(kubernetes),
    rollout: { timeoutMs: 3000, pollIntervalMs: 10 },
    checks: createCheckRunner({ checkApiFor: createCheckApis(kubernetes), jobPollMs: 20, requestTimeoutMs: 2000 }),
  };
});
afterAll(async () => {
  await cluster?.close();
  db.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** A release whose stage in `environment` is queued, as launch (or advanceRelease) writes it. */
async function release(image: string, environment: string, type?: Release['type']): Promise<Release> {
  const id = randomUUID();
  const r: Release = {
    id,
    app: 'shop',
    image,
    digest: image.split('@')[1] ?? '',
    labels: [],
    requestedBy: 'ci:test',
    ...(type ? { type } : {}),
    status: 'running',
    pipeline: [{ name: environment, after: [] }],
    createdAt: clock.toISOString(),
    updatedAt: clock.toISOString(),
    stages: { [environment]: { environment, status: 'queued', image, startedAt: clock.toISOString(), executionName: `exec-${id}` } },
  };
  await releases.create(r, { id: randomUUID(), app: 'shop', actor: 'test', action: 'release.requested', subject: `release/${id}`, at: clock.toISOString() });
  return r;
}

/** The check Jobs the simulator was asked to create for a release. */
async function jobsOf(releaseId: string): Promise<string[]> {
  const response = await fetch(`${cluster.url}/apis/batch/v1/jobs?labelSelector=gatekeeper.dev/release=${releaseId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const { items } = (await response.json()) as { items: Array<{ metadata: { labels: Record<string, string> } }> };
  return items.map((job) => job.metadata.labels['gatekeeper.dev/check'] ?? '').sort();
}

const runs = (namespace: string): Promise<string> => deps.clusters.gateway().readImage({ namespace, deployment: 'web', container: 'app' });
const stageOf = async (r: Release, environment: string) => (await releases.get(r.id))?.stages[environment];

describe('run-checks step', () => {
  it('runs the pre-deployment checks, keeps their results with the stage, and marks the promotion running', async () => {
    const r = await release(imageFor('pre-ok'), 'passing');
    const output = await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'pre' });
    expect(output).toEqual({ environment: 'passing', phase: 'pre', checks: [{ name: 'ready', kind: 'job', passed: true, summary: expect.stringMatching(/^job ready succeeded/) }] });
    const stage = await stageOf(r, 'passing');
    expect(stage).toMatchObject({ status: 'running', checks: [{ name: 'ready', kind: 'job', phase: 'pre', passed: true, logTail: expect.stringContaining('ready') }] });
    // Only the pre-deployment check ran, in the environment's namespace, and nothing was deployed.
    expect(await jobsOf(r.id)).toEqual(['ready']);
    expect(await runs('passing')).toBe(imageFor('before'));
    expect((await deployments.history('shop', 'passing', { limit: 10 })).deployments).toEqual([]);
  });

  it('reuses the results it finds when retried, running no check twice', async () => {
    const r = await release(imageFor('pre-retry'), 'passing');
    await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'pre' });
    const again = await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'pre' });
    expect(again.checks.map((check) => [check.name, check.passed])).toEqual([['ready', true]]);
    expect(await jobsOf(r.id)).toEqual(['ready']);
    expect((await stageOf(r, 'passing'))?.checks).toHaveLength(1);
  });

  it('stops at the first failing pre-deployment check with CheckFailed, before anything changes', async () => {
    const r = await release(imageFor('pre-bad'), 'pre-fails');
    const error = await createRunChecksStep(deps)({ releaseId: r.id, environment: 'pre-fails', phase: 'pre' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CheckFailed', message: expect.stringMatching(/^pre-deployment check "gate" \(job\) failed: job gate failed/) });
    const stage = await stageOf(r, 'pre-fails');
    expect(stage?.checks?.map((check) => [check.name, check.passed])).toEqual([
      ['first', true],
      ['gate', false],
    ]);
    expect(stage?.checks?.[1]?.logTail).toContain('fail-check');
    expect(stage?.deployStartedAt).toBeUndefined();
    expect(await jobsOf(r.id)).toEqual(['first', 'gate']);
    expect(await runs('pre-fails')).toBe(imageFor('before'));
    expect((await deployments.history('shop', 'pre-fails', { limit: 10 })).deployments).toEqual([]);
  });

  it('records the deployment as succeeded once the post-deployment checks verified the rollout', async () => {
    const r = await release(imageFor('verified'), 'passing');
    await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'pre' });
    await createDeployStep(deps)({ releaseId: r.id, environment: 'passing' });
    expect(await stageOf(r, 'passing')).toMatchObject({ status: 'running', rolledOutAt: clock.toISOString() });
    expect((await deployments.history('shop', 'passing', { limit: 10 })).deployments).toEqual([]);

    clock = new Date('2026-11-25T10:01:00Z');
    const output = await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'post' });
    expect(output.checks.map((check) => [check.name, check.passed])).toEqual([['smoke', true]]);
    const stage = await stageOf(r, 'passing');
    expect(stage).toMatchObject({ status: 'succeeded', finishedAt: clock.toISOString() });
    expect(stage?.checks?.map((check) => [check.phase, check.name, check.passed])).toEqual([
      ['pre', 'ready', true],
      ['post', 'smoke', true],
    ]);
    const { deployments: history } = await deployments.history('shop', 'passing', { limit: 10 });
    expect(history.map((d) => [d.image, d.result])).toEqual([[imageFor('verified'), 'succeeded']]);
    expect((await deps.catalog.getEnvironment('shop', 'passing'))?.current).toMatchObject({ image: imageFor('verified'), releaseId: r.id });

    // A retry after the success changes nothing and records no second deployment.
    await createRunChecksStep(deps)({ releaseId: r.id, environment: 'passing', phase: 'post' });
    expect((await deployments.history('shop', 'passing', { limit: 10 })).deployments).toHaveLength(1);
    expect(await jobsOf(r.id)).toEqual(['ready', 'smoke']);
  });

  it('fails a rollout whose post-deployment check fails; the rollback records it failed with the evidence and restores what ran', async () => {
    clock = new Date('2026-11-25T10:02:00Z');
    const r = await release(imageFor('unverified'), 'post-fails');
    await createDeployStep(deps)({ releaseId: r.id, environment: 'post-fails' });
    expect(await runs('post-fails')).toBe(imageFor('unverified'));
    const error = await createRunChecksStep(deps)({ releaseId: r.id, environment: 'post-fails', phase: 'post' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CheckFailed', message: expect.stringContaining('post-deployment check "smoke" (job) failed') });
    // Not recorded as a success: still running (rolled out), no deployment until the rollback says what happened.
    expect(await stageOf(r, 'post-fails')).toMatchObject({ status: 'running', rolledOutAt: expect.any(String) });
    expect((await deployments.history('shop', 'post-fails', { limit: 10 })).deployments).toEqual([]);

    // What the state machine's Catch hands RollBack.
    const failure = { Error: 'CheckFailed', Cause: JSON.stringify({ errorType: 'CheckFailed', errorMessage: (error as Error).message }) };
    clock = new Date('2026-11-25T10:03:00Z');
    expect(await createRollbackStep(deps)({ releaseId: r.id, environment: 'post-fails', failure })).toEqual({
      environment: 'post-fails',
      restoredImage: imageFor('before'),
      failedImage: imageFor('unverified'),
    });
    expect(await runs('post-fails')).toBe(imageFor('before'));
    const stage = await stageOf(r, 'post-fails');
    expect(stage).toMatchObject({ status: 'rolled_back', detail: expect.stringContaining('CheckFailed: post-deployment check "smoke"') });
    const { deployments: history } = await deployments.history('shop', 'post-fails', { limit: 10 });
    expect(history.map((d) => [d.type, d.image, d.result])).toEqual([
      ['automatic-rollback', imageFor('before'), 'succeeded'],
      ['release', imageFor('unverified'), 'rolled_back'],
    ]);
  });

  it('runs no checks for a rollback release: it restores a version that passed them', async () => {
    const r = await release(imageFor('restore'), 'pre-fails', 'rollback');
    expect(await createRunChecksStep(deps)({ releaseId: r.id, environment: 'pre-fails', phase: 'pre' })).toEqual({ environment: 'pre-fails', phase: 'pre', checks: [] });
    expect(await jobsOf(r.id)).toEqual([]);
  });
});
