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
  await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  const freeze = { onFreeze: 'wait' as const, windows: [{ kind: 'range' as const, timeZone: 'UTC', from: '2026-12-24T00:00', to: '2026-12-27T00:00' }] };
  await new DynamoCatalogWriter(db, tableName).putApp(
    { name: 'shop', environments: [{ app: 'shop', name: 'prod', order: 0, target: { namespace: 'prod', deployment: 'web', container: 'app' }, policy: { ...DEFAULT_POLICY, freeze } }] },
    { id: randomUUID(), app: 'shop', actor: 'test', action: 'app.registered', subject: 'app/shop', at: clock.toISOString() },
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

async function release(image: string): Promise<Release> {
  const id = randomUUID();
  const r: Release = {
    id,
    app: 'shop',
    image,
    digest: image.split('@')[1] ?? '',
    labels: [],
    requestedBy: 'ci:test',
    status: 'running',
    pipeline: [{ name: 'prod', after: [] }, { name: 'prod', after: ['prod'] }],
    createdAt: clock.toISOString(),
    updatedAt: clock.toISOString(),
    stages: {},
  };
  await releases.create(r, { id: randomUUID(), app: 'shop', actor: 'test', action: 'release.requested', subject: `release/${id}`, at: clock.toISOString() });
  return r;
}

describe('deploy step', () => {
  it('deploys the digest, records the deployment, and reports the same success when retried', async () => {
    const r = await release(imageFor('one'));
    const first = await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(first).toMatchObject({ image: imageFor('one'), previousImage: imageFor('before') });
    const again = await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(again).toMatchObject({ image: imageFor('one'), previousImage: imageFor('before') });
    const { deployments: history } = await deployments.history('shop', 'prod', { limit: 10 });
    expect(history.map((d) => [d.image, d.result])).toEqual([[imageFor('one'), 'succeeded']]);
  });

  it('returns the end of a wait-policy freeze instead of deploying', async () => {
    clock = new Date('2026-12-25T12:00:00Z');
    const r = await release(imageFor('frozen'));
    expect(await createDeployStep(deps)({ releaseId: r.id, environment: 'prod' })).toEqual(
      expect.objectContaining({ frozenUntil: '2026-12-27T00:00:00.000Z' }),
    );
    clock = new Date('2026-11-25T10:05:00Z');
  });

  it('records a failed rollout and a rollback to the image that ran before', async () => {
    const r = await release(imageFor('broken'));
    cluster.setFailingImages([imageFor('broken')]);
    await expect(createDeployStep(deps)({ releaseId: r.id, environment: 'prod' })).rejects.toMatchObject({ name: 'RolloutFailed' });
    cluster.setFailingImages([]);
    clock = new Date('2026-11-25T10:06:00Z');
    const undone = await createRollbackStep(deps)({ releaseId: r.id, environment: 'prod' });
    expect(undone).toEqual({ environment: 'prod', restoredImage: imageFor('one'), failedImage: imageFor('broken') });
    const { deployments: history } = await deployments.history('shop', 'prod', { limit: 2 });
    expect(history.map((d) => [d.type, d.result])).toEqual([
      ['automatic-rollback', 'succeeded'],
      ['release', 'rolled_back'],
    ]);
  });
});
