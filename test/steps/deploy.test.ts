import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCatalogWriter } from '../../functions/adapters/dynamodb/catalog-writer';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { DynamoConfigStore } from '../../functions/adapters/dynamodb/config-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDeploymentStore } from '../../functions/adapters/dynamodb/deployment-store';
import { DynamoEnvironmentHealth } from '../../functions/adapters/dynamodb/environment-health';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { createClusterDirectory } from '../../functions/adapters/kubernetes';
import { parseChecks } from '../../functions/domain/check-definitions';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import type { Release } from '../../functions/domain/release';
import { silentLogger } from '../../functions/observability/logger';
import { createDeployStep, type DeployStepDeps } from '../../functions/steps/deploy';
import { createRollbackStep } from '../../functions/steps/rollback';
import { startKubernetesSimulator, type KubernetesSimulator } from '../../local/k8s-simulator';
import { ensureTable } from '../../local/tables';
import { imageFor } from '../support/clients';

// The step handlers against the real stores (DynamoDB Local) and the Kubernetes simulator, without a state machine.
const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const releases = new DynamoReleaseStore(db, tableName);
const deployments = new DynamoDeploymentStore(db, tableName);
let cluster: KubernetesSimulator;
let dir: string;
let deps: DeployStepDeps;
let clock = new Date('2026-11-25T10:00:00Z');

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), tableName);
  dir = await mkdtemp(join(tmpdir(), 'gatekeeper-steps-'));
  cluster = await startKubernetesSimulator({ token: 'steps-test-token', rolloutDelayMs: 10, progressDeadlineMs: 200 });
  cluster.seedDeployment({ namespace: 'prod', name: 'web', container: 'app', image: imageFor('before') });
  cluster.seedDeployment({ namespace: 'verified', name: 'web', container: 'app', image: imageFor('before') });
  await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  const freeze = { onFreeze: 'wait' as const, windows: [{ kind: 'range' as const, timeZone: 'UTC', from: '2026-12-24T00:00', to: '2026-12-27T00:00' }] };
  await new DynamoCatalogWriter(db, tableName).putApp(
    { name: 'shop', environments: [{ app: 'shop', name: 'prod', order: 0, target: { namespace: 'prod', deployment: 'web', container: 'app' }, policy: { ...DEFAULT_POLICY, freeze } }] },
    { id: randomUUID(), app: 'shop', actor: 'test', action: 'app.registered', subject: 'app/shop', at: clock.toISOString() },
  );
  // An environment whose rollout is verified by a post-deployment check: the deploy alone does not make it a success.
  const checks = parseChecks([{ name: 'smoke', phase: 'post', kind: 'job', command: ['true'] }]);
  await new DynamoCatalogWriter(db, tableName).putApp(
    { name: 'verified', environments: [{ app: 'verified', name: 'prod', order: 0, after: [], target: { namespace: 'verified', deployment: 'web', container: 'app' }, policy: { ...DEFAULT_POLICY, checks } }] },
    { id: randomUUID(), app: 'verified', actor: 'test', action: 'app.registered', subject: 'app/verified', at: clock.toISOString() },
  );
  deps = {
    releases,
    catalog: new DynamoCatalogStore(db, tableName),
    clock: () => clock,
    newId: randomUUID,
    log: silentLogger,
    configs: new DynamoConfigStore(db, tableName),
    health: new DynamoEnvironmentHealth(db, tableName),
    deployments,
    clusters: createClusterDirectory({ KUBECONFIG_PATH: join(dir, 'kubeconfig'), ROLLOUT_TIMEOUT_SECONDS: 5, ROLLOUT_POLL_MS: 10 }),
    rollout: { timeoutMs: 3000, pollIntervalMs: 10 },
  };
});
afterAll(async () => {
  await cluster?.close();
  db.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** The image the simulator's Deployment `web` in `namespace` runs. */
const runs = (namespace: string): Promise<string> => deps.clusters.gateway().readImage({ namespace, deployment: 'web', container: 'app' });

/** A release of `app` whose `prod` stage is queued (as launch writes it), one environment in its pipeline. */
async function release(image: string, app = 'shop'): Promise<Release> {
  const id = randomUUID();
  const r: Release = {
    id,
    app,
    image,
    digest: image.split('@')[1] ?? '',
    labels: [],
    requestedBy: 'ci:test',
    status: 'running',
    pipeline: [{ name: 'prod', after: [] }],
    createdAt: clock.toISOString(),
    updatedAt: clock.toISOString(),
    stages: { prod: { environment: 'prod', status: 'queued', image, startedAt: clock.toISOString(), executionName: `exec-${id}`, executionArn: `arn:aws:states:us-east-1:123456789012:execution:release:exec-${id}` } },
  };
  await releases.create(r, { id: randomUUID(), app, actor: 'test', action: 'release.requested', subject: `release/${id}`, at: clock.toISOString() });
  return r;
}

describe('deploy step', () => {
  it('deploys the digest, records the stage and the deployment, and reports the same success when retried', async () => {
    const r = await release(imageFor('one'));
    const first = await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(first).toMatchObject({ image: imageFor('one'), previousImage: imageFor('before') });
    const stage = (await releases.get(r.id))?.stages.prod;
    expect(stage).toMatchObject({ status: 'succeeded', image: imageFor('one'), previousImage: imageFor('before'), deployStartedAt: clock.toISOString(), finishedAt: clock.toISOString() });
    expect(stage?.executionName).toBe(`exec-${r.id}`);
    const again = await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(again).toMatchObject({ image: imageFor('one'), previousImage: imageFor('before') });
    const { deployments: history } = await deployments.history('shop', 'prod', { limit: 10 });
    expect(history.map((d) => [d.image, d.result])).toEqual([[imageFor('one'), 'succeeded']]);
    expect((await deps.catalog.getEnvironment('shop', 'prod'))?.current).toMatchObject({ image: imageFor('one'), releaseId: r.id });
  });

  it('refuses a release without a stage in the environment (a promotion always starts from a queued stage)', async () => {
    const r = await release(imageFor('stageless'));
    await expect(createDeployStep(deps)({ releaseId: r.id, environment: 'elsewhere' })).rejects.toMatchObject({ name: 'NotFound' });
    const { stages: _stages, ...withoutStages } = r;
    const bare = { ...withoutStages, id: randomUUID(), stages: {} };
    await releases.create(bare, { id: randomUUID(), app: 'shop', actor: 'test', action: 'release.requested', subject: `release/${bare.id}`, at: clock.toISOString() });
    await expect(createDeployStep(deps)({ releaseId: bare.id, environment: 'prod' })).rejects.toMatchObject({ name: 'InvalidState' });
    expect(await runs('prod')).not.toBe(imageFor('stageless'));
  });

  it('returns the end of a wait-policy freeze instead of deploying', async () => {
    clock = new Date('2026-12-25T12:00:00Z');
    const r = await release(imageFor('frozen'));
    expect(await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' })).toEqual(
      expect.objectContaining({ frozenUntil: '2026-12-27T00:00:00.000Z' }),
    );
    expect((await releases.get(r.id))?.stages.prod?.status).toBe('queued');
    clock = new Date('2026-11-25T10:05:00Z');
  });

  it('records a failed rollout and a rollback to the image that ran before', async () => {
    const r = await release(imageFor('broken'));
    cluster.setFailingImages([imageFor('broken')]);
    await expect(createDeployStep(deps)({ releaseId: r.id, environment: 'prod' })).rejects.toMatchObject({ name: 'RolloutFailed' });
    cluster.setFailingImages([]);
    expect((await releases.get(r.id))?.stages.prod).toMatchObject({ status: 'failed', image: imageFor('broken'), previousImage: imageFor('one'), detail: expect.any(String) });
    clock = new Date('2026-11-25T10:06:00Z');
    const undone = await createRollbackStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(undone).toEqual({ environment: 'prod', restoredImage: imageFor('one'), failedImage: imageFor('broken') });
    expect((await releases.get(r.id))?.stages.prod?.status).toBe('rolled_back');
    const { deployments: history } = await deployments.history('shop', 'prod', { limit: 2 });
    expect(history.map((d) => [d.type, d.result])).toEqual([
      ['automatic-rollback', 'succeeded'],
      ['release', 'rolled_back'],
    ]);
  });

  it('with post-deployment checks, records only the rollout (rolledOutAt) and no deployment yet: the checks decide', async () => {
    clock = new Date('2026-11-25T10:10:00Z');
    const r = await release(imageFor('verify-me'), 'verified');
    const output = await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(output).toMatchObject({ image: imageFor('verify-me'), previousImage: imageFor('before'), rolledOutAt: clock.toISOString() });
    expect(await runs('verified')).toBe(imageFor('verify-me'));
    const stage = (await releases.get(r.id))?.stages.prod;
    expect(stage).toMatchObject({ status: 'running', rolledOutAt: clock.toISOString(), deployStartedAt: clock.toISOString() });
    expect(stage?.finishedAt).toBeUndefined();
    expect((await deployments.history('verified', 'prod', { limit: 10 })).deployments).toEqual([]);
    // What the environment runs changes only once verified; meanwhile it is marked as being deployed.
    const env = await deps.catalog.getEnvironment('verified', 'prod');
    expect(env?.current?.image).not.toBe(imageFor('verify-me'));
    expect(env?.deploying).toMatchObject({ releaseId: r.id });
    // A retry reports the rollout again without touching anything.
    clock = new Date('2026-11-25T10:11:00Z');
    expect(await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' })).toMatchObject({ rolledOutAt: '2026-11-25T10:10:00.000Z' });
    expect((await deployments.history('verified', 'prod', { limit: 10 })).deployments).toEqual([]);
  });
});
