import { randomUUID } from 'node:crypto';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { DynamoOutbox } from '../../functions/adapters/dynamodb/outbox-store';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { castVote } from '../../functions/domain/approval';
import type { Release } from '../../functions/domain/release';
import { api, linkFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';
import { nextImage, releaseAwaitingApproval, vote } from '../e2e/faults/helpers';

// The reconciler against the real emulators: what a crash or an out-of-band change leaves behind, it repairs.
let stack: TestStack;
let ci: ReturnType<typeof api>;
let db: ReturnType<typeof createDocumentClient>;
let sfn: SFNClient;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  ci = api(stack);
  db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint });
  sfn = new SFNClient({ region: 'us-east-1', endpoint: stack.sfnUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  db?.destroy();
  sfn?.destroy();
  await stack?.close();
});

describe('reconcile', () => {
  it('ends a release whose execution ended without recording it, closing its request (a vote is then refused)', async () => {
    const { id, link } = await releaseAwaitingApproval(stack);
    const executionArn = (await ci.release(id)).stages.find((s) => s.environment === 'prod')?.executionArn;
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped in the console' }));
    const report = await stack.reconcile();
    expect(report.finished).toEqual([id]);
    const ended = await ci.release(id);
    expect(ended.status).toBe('failed');
    expect(ended.reason).toMatch(/^prod: failed \(its workflow execution ended ABORTED \(Operator: stopped in the console\) before the outcome was recorded; nothing was deployed\)$/);
    expect(ended.approvals[0]?.status).toBe('cancelled');
    expect((await vote(link)).status).toBe(409);
    expect((await auditEvents(stack, id)).filter((e) => e.actor === 'system:reconciler').map((e) => e.action)).toContain('release.finished');
  });

  it('delivers a committed decision that never reached the state machine (the API died right after its transaction)', async () => {
    const { id } = await releaseAwaitingApproval(stack);
    const approvals = new DynamoApprovalStore(db, stack.tableName);
    // Exactly what the vote's transaction commits, and nothing after it: no SendTaskSuccess, no outbox item.
    const request = (await approvals.get(id, 'prod'))!;
    const { request: decided, vote: recorded } = castVote(request, { voter: 'alice@example.com', decision: 'approve', at: new Date().toISOString() }, new Date());
    await approvals.saveVote(decided, recorded, [{ id: randomUUID(), app: 'hello-web', actor: 'alice@example.com', action: 'approval.vote', subject: `release/${id}/approval/prod`, at: recorded.at }]);
    expect((await stack.reconcile()).resent).toBe(1);
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 20_000)).status).toBe('succeeded');
    // Once resumed, a second pass finds nothing waiting on that token.
    expect((await stack.reconcile()).resent).toBe(0);
  });

  it('starts a promotion whose start was lost, once it is older than the start grace', async () => {
    const releases = new DynamoReleaseStore(db, stack.tableName);
    const createdAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const image = nextImage();
    const executionName = `lost-${Date.now()}`;
    const release: Release = {
      id: randomUUID(), app: 'hello-web', image, digest: 'sha256:x', labels: [], requestedBy: 'ci:hello-web-pipeline', status: 'running',
      pipeline: [{ name: 'staging', after: [] }, { name: 'prod', after: ['staging'] }], createdAt, updatedAt: createdAt,
      stages: { staging: { environment: 'staging', status: 'queued', image, startedAt: createdAt, executionName, executionArn: `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}` } },
    };
    await releases.create(release, { id: randomUUID(), app: 'hello-web', actor: 'ci:hello-web-pipeline', action: 'release.requested', subject: `release/${release.id}`, at: createdAt });
    expect((await stack.reconcile()).restarted).toEqual([`${release.id}/staging`]);
    expect((await ci.waitForStatus(release.id, ['waiting_for_approval'], 20_000)).stages.map((s: { environment: string; status: string }) => [s.environment, s.status])).toEqual([
      ['staging', 'succeeded'],
      ['prod', 'waiting_for_approval'],
    ]);
  });

  it('removes outbox items nothing waits for any more, and is safe to run twice at once', async () => {
    const outbox = new DynamoOutbox(db, stack.tableName);
    await outbox.add({ id: `${new Date().toISOString()}#${randomUUID()}`, releaseId: 'gone', app: 'hello-web', callback: { kind: 'failure', taskToken: 'AUxTRgAAAA', error: 'ReleaseCancelled', cause: 'test' }, createdAt: new Date().toISOString(), attempts: 3 });
    const [a, b] = await Promise.all([stack.reconcile(), stack.reconcile()]);
    expect(a.delivered + b.delivered).toBeGreaterThanOrEqual(1);
    expect(await outbox.list(10)).toEqual([]);
  });

  it('leaves an environment alone while a release is deploying to it', async () => {
    const { id, link } = await releaseAwaitingApproval(stack);
    expect((await vote(link)).status).toBe(200);
    const passes = await Promise.all(Array.from({ length: 5 }, () => stack.reconcile()));
    expect(passes.flatMap((p) => p.drifted)).toEqual([]);
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 20_000)).status).toBe('succeeded');
    expect((await stack.reconcile()).drifted).toEqual([]);
    expect(await linkFor(stack, id, 'bob@example.com')).toBeTruthy();
  });
});
