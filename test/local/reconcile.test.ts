import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import type { AuditEvent } from '../../functions/domain/audit';
import type { Release } from '../../functions/domain/release';
import { endOrphanedReleases } from '../../local/reconcile';
import { ensureTable } from '../../local/tables';
import { approvalRequest } from '../support/requests';

const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const releases = new DynamoReleaseStore(db, tableName);
const approvals = new DynamoApprovalStore(db, tableName);
const at = new Date().toISOString();
const audit = (): AuditEvent => ({ id: randomUUID(), app: 'hello-web', actor: 'test', action: 'release.requested', subject: 'x', at });

beforeAll(() => ensureTable(inject('dynamodbEndpoint'), tableName));
afterAll(() => db.destroy());

const release = (status: Release['status']): Release => ({
  id: randomUUID(),
  app: 'hello-web',
  image: 'i',
  digest: 'd',
  labels: [],
  requestedBy: 'ci:x',
  status,
  stagingEnvironment: 'staging',
  productionEnvironment: 'prod',
  executionName: 'n',
  executionArn: 'arn:aws:states:us-east-1:0:execution:m:n',
  createdAt: at,
  updatedAt: at,
  stages: {},
});

it('ends releases an earlier local run left in flight and cancels their approval requests', async () => {
  const waiting = release('running');
  const finished = release('succeeded');
  await releases.create(waiting, audit());
  await releases.create(finished, audit());
  await approvals.open(approvalRequest({ releaseId: waiting.id }), audit());

  expect(await endOrphanedReleases(inject('dynamodbEndpoint'), tableName)).toBe(1);
  expect(await releases.get(waiting.id)).toMatchObject({ status: 'failed', reason: expect.stringContaining('local stack restarted') });
  expect((await approvals.get(waiting.id, 'prod'))?.status).toBe('cancelled');
  expect((await releases.get(finished.id))?.status).toBe('succeeded');
});
