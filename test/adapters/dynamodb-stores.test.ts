import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { castVote, type ApprovalRequest } from '../../functions/domain/approval';
import type { AuditEvent } from '../../functions/domain/audit';
import { ConflictError, CorruptItemError } from '../../functions/domain/errors';
import type { Release } from '../../functions/domain/release';
import { ensureTable } from '../../local/tables';
import { approvalRequest } from '../support/requests';

const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const releases = new DynamoReleaseStore(db, tableName);
const approvals = new DynamoApprovalStore(db, tableName);
const at = '2026-11-25T10:00:00.000Z';

beforeAll(() => ensureTable(inject('dynamodbEndpoint'), tableName));
afterAll(() => db.destroy());

const audit = (action: AuditEvent['action']): AuditEvent => ({ id: randomUUID(), app: 'hello-web', actor: 'test', action, subject: 'release/x', at });

async function newRelease(): Promise<Release> {
  const release: Release = {
    id: randomUUID(),
    app: 'hello-web',
    image: `repo@sha256:${'a'.repeat(64)}`,
    digest: `sha256:${'a'.repeat(64)}`,
    labels: [],
    requestedBy: 'ci:test',
    status: 'running',
    pipeline: [{ name: 'staging', after: [] }, { name: 'prod', after: ['staging'] }],
    createdAt: at,
    updatedAt: at,
    stages: {},
  };
  await releases.create(release, audit('release.requested'));
  return release;
}

const requestFor = (release: Release, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest =>
  approvalRequest({ releaseId: release.id, image: release.image, requestedBy: release.requestedBy, author: undefined, policy: { required: 2, rules: [] }, taskToken: 'token-1', createdAt: at, ...overrides });

describe('DynamoReleaseStore', () => {
  it('refuses a second release with the same id', async () => {
    const release = await newRelease();
    await expect(releases.create(release, audit('release.requested'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('finishes a release once; a retried step does not rewrite the outcome', async () => {
    const release = await newRelease();
    expect(await releases.finish(release.id, { status: 'succeeded', at }, audit('release.finished'))).toBe(true);
    expect(await releases.finish(release.id, { status: 'failed', at, reason: 'late' }, audit('release.finished'))).toBe(false);
    expect((await releases.get(release.id))?.status).toBe('succeeded');
  });
});

describe('DynamoApprovalStore', () => {
  it('opens idempotently for the same task token, moves an undecided request to a retried task\'s token, and refuses once votes exist', async () => {
    const release = await newRelease();
    await approvals.open(requestFor(release), audit('approval.requested'));
    await approvals.open(requestFor(release), audit('approval.requested'));
    // The task was retried (e.g. mail was down): the open request now waits on the new token.
    await approvals.open(requestFor(release, { taskToken: 'token-2' }), audit('approval.requested'));
    const moved = await approvals.get(release.id, 'prod');
    expect(moved).toMatchObject({ taskToken: 'token-2', version: 1 });
    const alice = castVote(moved!, { voter: 'alice@example.com', decision: 'approve', at }, new Date(at));
    await approvals.saveVote(alice.request, alice.vote, [audit('approval.vote')]);
    await expect(approvals.open(requestFor(release, { taskToken: 'token-3' }), audit('approval.requested'))).rejects.toBeInstanceOf(ConflictError);
    expect((await releases.get(release.id))?.status).toBe('waiting_for_approval');
  });

  it('writes a vote only against the version it was decided on', async () => {
    const release = await newRelease();
    const request = requestFor(release);
    await approvals.open(request, audit('approval.requested'));
    const now = new Date(at);
    const alice = castVote(request, { voter: 'alice@example.com', decision: 'approve', at }, now);
    const bob = castVote(request, { voter: 'bob@example.com', decision: 'approve', at }, now);
    await approvals.saveVote(alice.request, alice.vote, [audit('approval.vote')]);
    // Bob's vote was decided on version 0 too: it must not overwrite Alice's.
    await expect(approvals.saveVote(bob.request, bob.vote, [audit('approval.vote')])).rejects.toBeInstanceOf(ConflictError);
    const stored = await approvals.get(release.id, 'prod');
    expect(stored?.votes.map((v) => v.voter)).toEqual(['alice@example.com']);

    const retried = castVote(stored!, { voter: 'bob@example.com', decision: 'approve', at }, now);
    await approvals.saveVote(retried.request, retried.vote, [audit('approval.vote'), audit('approval.decided')]);
    expect(await approvals.get(release.id, 'prod')).toMatchObject({ status: 'approved', version: 2 });
    expect((await releases.get(release.id))?.status).toBe('running');
  });

  it('closes only a pending request', async () => {
    const release = await newRelease();
    const request = requestFor(release);
    await approvals.open(request, audit('approval.requested'));
    expect(await approvals.close(request, 'expired', 'timed out', audit('approval.decided'))).toBe(true);
    expect(await approvals.close(request, 'cancelled', 'late', audit('approval.decided'))).toBe(false);
    expect(await approvals.get(release.id, 'prod')).toMatchObject({ status: 'expired', closedReason: 'timed out' });
    expect(await approvals.listPending({ app: 'hello-web', environment: 'prod' })).not.toContainEqual(expect.objectContaining({ releaseId: release.id }));
  });

  it('lists pending requests per app and environment, oldest first', async () => {
    const first = await newRelease();
    const second = await newRelease();
    await approvals.open(requestFor(second, { createdAt: '2026-11-25T10:00:02.000Z' }), audit('approval.requested'));
    await approvals.open(requestFor(first, { createdAt: '2026-11-25T10:00:01.000Z' }), audit('approval.requested'));
    const pending = (await approvals.listPending({ app: 'hello-web', environment: 'prod' })).map((r) => r.releaseId);
    expect(pending.indexOf(first.id)).toBeLessThan(pending.indexOf(second.id));
  });
});

describe('items are checked on read', () => {
  it('names the key and what is wrong when a stored item drifted from its shape', async () => {
    const release = await newRelease();
    // An operator's hand edit: the status is no longer one the code knows, the stages are gone.
    await db.send(new UpdateCommand({ TableName: tableName, Key: { pk: `REL#${release.id}`, sk: 'RELEASE' }, UpdateExpression: 'SET #s = :s REMOVE stages', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'paused' } }));
    const read = releases.get(release.id);
    await expect(read).rejects.toBeInstanceOf(CorruptItemError);
    await expect(releases.get(release.id)).rejects.toThrow(new RegExp(`stored release REL#${release.id} / RELEASE is not valid: status: .*; stages: `));
  });
});
