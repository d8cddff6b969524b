import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoOutbox } from '../../functions/adapters/dynamodb/outbox-store';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { StepFunctionsWorkflow } from '../../functions/adapters/sfn/workflow';
import { readAwsConfig } from '../../functions/config';
import type { PipelineNode } from '../../functions/domain/pipeline';
import type { Release, Stage } from '../../functions/domain/release';
import { silentLogger } from '../../functions/observability/logger';
import { advanceRelease, type AdvanceDeps } from '../../functions/usecases/advance-release';
import { api, approvalLink, imageFor, linkClaim, mailbox } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

// advanceRelease against the real stores (DynamoDB Local) and the local stack's state machine: promotions it starts really run.
let stack: TestStack;
let ci: ReturnType<typeof api>;
let db: ReturnType<typeof createDocumentClient>;
let sfn: SFNClient;
let releases: DynamoReleaseStore;
let approvals: DynamoApprovalStore;
let deps: AdvanceDeps;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  ci = api(stack);
  db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint });
  sfn = new SFNClient({ region: 'us-east-1', endpoint: stack.sfnUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  releases = new DynamoReleaseStore(db, stack.tableName);
  approvals = new DynamoApprovalStore(db, stack.tableName);
  deps = {
    releases,
    approvals,
    catalog: new DynamoCatalogStore(db, stack.tableName),
    outbox: new DynamoOutbox(db, stack.tableName),
    workflow: new StepFunctionsWorkflow(readAwsConfig({ AWS_REGION: 'us-east-1', SFN_ENDPOINT: stack.sfnUrl }), stack.stateMachineArn),
    clock: () => new Date(),
    newId: randomUUID,
    log: silentLogger,
  };
});
afterAll(async () => {
  db?.destroy();
  sfn?.destroy();
  await stack?.close();
});

/** hello-api as seeded: staging, then prod-eu and prod-us side by side (each needs one approval). */
const FAN_OUT: PipelineNode[] = [
  { name: 'staging', after: [] },
  { name: 'prod-eu', after: ['staging'] },
  { name: 'prod-us', after: ['staging'] },
];
/** hello-web as seeded: staging, then prod. */
const CHAIN: PipelineNode[] = [
  { name: 'staging', after: [] },
  { name: 'prod', after: ['staging'] },
];

const ended = (environment: string, image: string, status: Stage['status'], detail?: string): Stage => {
  const at = new Date().toISOString();
  return { environment, status, image, startedAt: at, finishedAt: at, ...(detail ? { detail } : {}) };
};

/** A release stored with the given stages (as earlier promotions left them); no execution runs for it. */
async function storedRelease(app: 'hello-api' | 'hello-web', pipeline: PipelineNode[], stages: (image: string) => Stage[]): Promise<Release> {
  const image = imageFor(randomUUID(), `registry.example.com/${app}`);
  const at = new Date().toISOString();
  const release: Release = {
    id: randomUUID(),
    app,
    image,
    digest: image.split('@')[1]!,
    labels: [],
    requestedBy: 'ci:hello-web-pipeline',
    status: 'running',
    pipeline,
    createdAt: at,
    updatedAt: at,
    stages: Object.fromEntries(stages(image).map((stage) => [stage.environment, stage])),
  };
  await releases.create(release, { id: randomUUID(), app, actor: 'ci:hello-web-pipeline', action: 'release.requested', subject: `release/${release.id}`, at });
  return release;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** alice's approval link for one environment of a release. */
async function linkFor(releaseId: string, environment: string): Promise<string> {
  const [email] = await mailbox(stack).waitFor((e) => {
    const claim = linkClaim(e);
    return e.destination.to.includes('alice@example.com') && claim.r === releaseId && claim.e === environment;
  }, 1);
  return approvalLink(email!);
}

const stagesOf = async (id: string) => (await releases.get(id))!.stages;

describe('advanceRelease', () => {
  it('starts every environment whose predecessors all succeeded, each once, even when called twice at once', async () => {
    const release = await storedRelease('hello-api', FAN_OUT, (image) => [ended('staging', image, 'succeeded')]);
    const statuses = await Promise.all([advanceRelease(deps, release.id), advanceRelease(deps, release.id)]);
    for (const status of statuses) expect(['running', 'waiting_for_approval']).toContain(status);

    const stages = await stagesOf(release.id);
    expect(Object.keys(stages).sort()).toEqual(['prod-eu', 'prod-us', 'staging']);
    for (const environment of ['prod-eu', 'prod-us']) {
      const stage = stages[environment]!;
      expect(stage).toMatchObject({ environment, image: release.image, executionName: expect.stringContaining(`hello-api-${environment}-`) });
      expect(stage.executionArn).toBe(deps.workflow.executionArn(stage.executionName!));
      // The execution it names really runs (it waits for approval).
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: stage.executionArn }))).status).toBe('RUNNING');
    }
    expect(stages['prod-eu']?.executionName).not.toBe(stages['prod-us']?.executionName);
    const started = (await auditEvents(stack, release.id)).filter((e) => e.action === 'promotion.started');
    expect(started).toHaveLength(2);

    // Both promotions ask for their approval; the release reads waiting while they wait.
    await waitFor(async () => {
      const now = await stagesOf(release.id);
      return now['prod-eu']?.status === 'waiting_for_approval' && now['prod-us']?.status === 'waiting_for_approval' ? true : undefined;
    }, 'both approval requests');
    expect((await releases.get(release.id))?.status).toBe('waiting_for_approval');
    // Asked again, nothing new starts.
    expect(await advanceRelease(deps, release.id)).toBe('waiting_for_approval');
    expect((await auditEvents(stack, release.id)).filter((e) => e.action === 'promotion.started')).toHaveLength(2);
  });

  it('stops on the first bad ending: cancels what waits for people, lets no one else start, and ends the release once nothing runs', async () => {
    const release = await storedRelease('hello-api', FAN_OUT, (image) => [ended('staging', image, 'succeeded')]);
    await advanceRelease(deps, release.id);
    // alice rejects prod-eu through her emailed link (the API, then the promotion's RecordRejected, then advanceRelease).
    const rejected = await fetch(await linkFor(release.id, 'prod-eu'), { method: 'POST', body: new URLSearchParams({ decision: 'reject' }), headers: { accept: 'application/json' } });
    expect(rejected.status).toBe(200);
    const final = await ci.waitForStatus(release.id, ['rejected', 'failed', 'cancelled', 'succeeded']);
    expect(final.status).toBe('rejected');
    expect(final.stages.map((s) => [s.environment, s.status])).toEqual([
      ['staging', 'succeeded'],
      ['prod-eu', 'rejected'],
      ['prod-us', 'cancelled'],
    ]);
    // prod-us's open request was cancelled, naming why; its execution ended without deploying.
    const us = await approvals.get(release.id, 'prod-us');
    expect(us).toMatchObject({ status: 'cancelled', closedReason: expect.stringContaining('the release stopped because "prod-eu" was rejected') });
    const usStage = (await stagesOf(release.id))['prod-us']!;
    expect(usStage.deployStartedAt).toBeUndefined();
    await waitFor(async () => ((await sfn.send(new DescribeExecutionCommand({ executionArn: usStage.executionArn }))).status !== 'RUNNING' ? true : undefined), 'the prod-us execution to end');
    expect(final.reason).toMatch(/^prod-eu: was rejected/);
  });

  it('cancels an environment that can never start, and ends the release failed with the reason', async () => {
    const release = await storedRelease('hello-web', CHAIN, (image) => [ended('staging', image, 'rolled_back', 'RolloutFailed: web did not become ready')]);
    expect(await advanceRelease(deps, release.id)).toBe('failed');
    const stored = (await releases.get(release.id))!;
    expect(stored).toMatchObject({ status: 'failed', reason: 'staging: failed and was rolled back (RolloutFailed: web did not become ready)' });
    expect(stored.stages.prod).toMatchObject({ status: 'cancelled', detail: '"prod" cannot start because "staging" was rolled back' });
    expect(stored.stages.prod?.executionName).toBeUndefined();
    // Asked again, it says how the release ended and changes nothing.
    expect(await advanceRelease(deps, release.id)).toBe('failed');
    expect((await auditEvents(stack, release.id)).filter((e) => e.action === 'release.finished')).toHaveLength(1);
  });

  it('waits for a promotion still deploying before it ends a stopped release', async () => {
    const release = await storedRelease('hello-api', FAN_OUT, (image) => [
      ended('staging', image, 'succeeded'),
      ended('prod-eu', image, 'failed', 'CheckFailed: post-deployment check "smoke" (job) failed'),
      { environment: 'prod-us', status: 'running', image, startedAt: new Date().toISOString(), deployStartedAt: new Date().toISOString() },
    ]);
    expect(await advanceRelease(deps, release.id)).toBe('running');
    expect((await releases.get(release.id))?.status).toBe('running');

    await releases.saveStage(release, ended('prod-us', release.image, 'succeeded'), { id: randomUUID(), app: 'hello-api', actor: 'test', action: 'promotion.finished', subject: `release/${release.id}/prod-us`, at: new Date().toISOString() });
    expect(await advanceRelease(deps, release.id)).toBe('failed');
    expect((await releases.get(release.id))?.reason).toBe('prod-eu: failed (CheckFailed: post-deployment check "smoke" (job) failed)');
  });

  it('ends a release succeeded once every environment succeeded, once', async () => {
    const release = await storedRelease('hello-web', CHAIN, (image) => [ended('staging', image, 'succeeded'), ended('prod', image, 'succeeded')]);
    expect(await Promise.all([advanceRelease(deps, release.id), advanceRelease(deps, release.id)])).toEqual(['succeeded', 'succeeded']);
    expect(await releases.get(release.id)).toMatchObject({ status: 'succeeded', finishedAt: expect.any(String) });
    expect((await releases.get(release.id))?.reason).toBeUndefined();
    expect((await auditEvents(stack, release.id)).filter((e) => e.action === 'release.finished')).toHaveLength(1);
  });

  it('answers undefined for a release that does not exist', async () => {
    expect(await advanceRelease(deps, randomUUID())).toBeUndefined();
  });
});
