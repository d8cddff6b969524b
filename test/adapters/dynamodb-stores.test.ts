import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { castVote, type ApprovalRequest } from '../../functions/domain/approval';
import type { AuditEvent } from '../../functions/domain/audit';
import { ConflictError, CorruptItemError, InvalidStateError } from '../../functions/domain/errors';
import type { Release, Stage } from '../../functions/domain/release';
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

/** A queued stage, as launch (or advanceRelease) writes it before the promotion's execution starts. */
const queued = (environment: string, image = `repo@sha256:${'a'.repeat(64)}`): Stage => ({ environment, status: 'queued', image, startedAt: at, executionName: `exec-${environment}` });

/** A staging → prod release whose `prod` stage is queued (where the tests open approval requests) unless told otherwise. */
async function newRelease(stages: Record<string, Stage> = { prod: queued('prod') }): Promise<Release> {
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
    stages,
  };
  await releases.create(release, audit('release.requested'));
  return release;
}

/** The release item as stored (the store derives `waiting_for_approval` on read). */
async function storedStatus(releaseId: string): Promise<unknown> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { pk: `REL#${releaseId}`, sk: 'RELEASE' }, ConsistentRead: true }));
  return Item?.status;
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

  it('adds a stage only once, and never to a finished release', async () => {
    const release = await newRelease({});
    expect(await releases.addStage(release.id, queued('staging'), audit('promotion.started'))).toBe(true);
    expect(await releases.addStage(release.id, { ...queued('staging'), executionName: 'another-writer' }, audit('promotion.started'))).toBe(false);
    expect((await releases.get(release.id))?.stages.staging).toEqual(queued('staging'));
    expect(await releases.addStage(randomUUID(), queued('staging'), audit('promotion.started'))).toBe(false);

    expect(await releases.finish(release.id, { status: 'failed', at, reason: 'staging failed' }, audit('release.finished'))).toBe(true);
    expect(await releases.addStage(release.id, queued('prod'), audit('promotion.started'))).toBe(false);
    expect((await releases.get(release.id))?.stages.prod).toBeUndefined();
  });
});

describe('DynamoApprovalStore', () => {
  it('opens idempotently for the same task token, moves an undecided request to a retried task\'s token, and refuses once votes exist', async () => {
    const release = await newRelease();
    await approvals.open(requestFor(release), audit('approval.requested'));
    // Opening puts the stage (not the release) in waiting_for_approval; the release reads waiting while any stage waits.
    expect((await releases.get(release.id))?.stages.prod?.status).toBe('waiting_for_approval');
    expect((await releases.get(release.id))?.status).toBe('waiting_for_approval');
    expect(await storedStatus(release.id)).toBe('running');
    await approvals.open(requestFor(release), audit('approval.requested'));
    // The task was retried (e.g. mail was down): the open request now waits on the new token.
    await approvals.open(requestFor(release, { taskToken: 'token-2' }), audit('approval.requested'));
    const moved = await approvals.get(release.id, 'prod');
    expect(moved).toMatchObject({ taskToken: 'token-2', version: 1 });
    const alice = castVote(moved!, { voter: 'alice@example.com', decision: 'approve', at }, new Date(at));
    await approvals.saveVote(alice.request, alice.vote, [audit('approval.vote')]);
    await expect(approvals.open(requestFor(release, { taskToken: 'token-3' }), audit('approval.requested'))).rejects.toBeInstanceOf(ConflictError);
    expect((await releases.get(release.id))?.status).toBe('waiting_for_approval');
    expect((await releases.get(release.id))?.stages.prod).toMatchObject({ status: 'waiting_for_approval', executionName: 'exec-prod' });
  });

  it('opens a request only for a stage the release has, while the release runs', async () => {
    const stageless = await newRelease({ staging: queued('staging') });
    await expect(approvals.open(requestFor(stageless), audit('approval.requested'))).rejects.toThrow(/has ended or has no stage for prod/);
    expect(await approvals.get(stageless.id, 'prod')).toBeUndefined();
    expect((await releases.get(stageless.id))?.stages).toEqual({ staging: queued('staging') });

    const finished = await newRelease();
    await releases.finish(finished.id, { status: 'cancelled', at, reason: 'cancelled by the requester' }, audit('release.finished'));
    await expect(approvals.open(requestFor(finished), audit('approval.requested'))).rejects.toBeInstanceOf(InvalidStateError);
    expect(await approvals.get(finished.id, 'prod')).toBeUndefined();
    expect((await releases.get(finished.id))?.stages.prod?.status).toBe('queued');
  });

  it('writes a vote only against the version it was decided on', async () => {
    const release = await newRelease();
    const request = requestFor(release);
    await approvals.open(request, audit('approval.requested'));
    const now = new Date(at);
    const alice = castVote(request, { voter: 'alice@example.com', decision: 'approve', at }, now);
    const bob = castVote(request, { voter: 'bob@example.com', decision: 'approve', at }, now);
    await approvals.saveVote(alice.request, alice.vote, [audit('approval.vote')]);
    // One of two approvals: the stage still waits.
    expect((await releases.get(release.id))?.stages.prod?.status).toBe('waiting_for_approval');
    // Bob's vote was decided on version 0 too: it must not overwrite Alice's.
    await expect(approvals.saveVote(bob.request, bob.vote, [audit('approval.vote')])).rejects.toBeInstanceOf(ConflictError);
    const stored = await approvals.get(release.id, 'prod');
    expect(stored?.votes.map((v) => v.voter)).toEqual(['alice@example.com']);

    const retried = castVote(stored!, { voter: 'bob@example.com', decision: 'approve', at }, now);
    await approvals.saveVote(retried.request, retried.vote, [audit('approval.vote'), audit('approval.decided')]);
    expect(await approvals.get(release.id, 'prod')).toMatchObject({ status: 'approved', version: 2 });
    // The approving vote moves the stage on, naming who approved it; the release runs again.
    expect((await releases.get(release.id))?.stages.prod).toMatchObject({ status: 'running', approvedBy: ['alice@example.com', 'bob@example.com'], executionName: 'exec-prod' });
    expect((await releases.get(release.id))?.status).toBe('running');
    expect(await storedStatus(release.id)).toBe('running');
  });

  it('writes a vote that leaves the request pending without checking again what its read found; whatever closes it checks', async () => {
    // An app of its own: the policy changes here.
    const app = `policy-${randomUUID()}`;
    const release = await newRelease();
    const eligible = ['alice', 'bob', 'carol'].map((name) => ({ id: `${name}@example.com`, groups: ['release-managers'] }));
    const request = requestFor(release, { app, eligible, policy: { required: 3, rules: [] } });
    await approvals.open(request, audit('approval.requested'));
    const read = await approvals.getForVote(release.id, 'prod', app);
    expect(read.stands).toBe(true);
    // The policy changes after the read (voiding the request is the policy change's own next step).
    await db.send(new UpdateCommand({ TableName: tableName, Key: { pk: `APP#${app}`, sk: 'ENV#prod' }, UpdateExpression: 'SET policyVersion = :v', ExpressionAttributeValues: { ':v': request.policyVersion + 1 } }));
    const now = new Date(at);
    const vote = (on: ApprovalRequest, name: string) => castVote(on, { voter: `${name}@example.com`, decision: 'approve', at }, now);
    const alice = vote(read.request!, 'alice');
    await approvals.saveVote(alice.request, alice.vote, [audit('approval.vote')], read);
    expect((await approvals.get(release.id, 'prod'))?.votes.map((v) => v.voter)).toEqual(['alice@example.com']);
    // Read again, it no longer stands: even a vote that leaves it pending is checked, and refused.
    const again = await approvals.getForVote(release.id, 'prod', app);
    expect(again.stands).toBe(false);
    const bob = vote(again.request!, 'bob');
    await expect(approvals.saveVote(bob.request, bob.vote, [audit('approval.vote')], again)).rejects.toBeInstanceOf(ConflictError);
    // A vote that approves is checked whatever its read found: nothing is approved under an old policy.
    const approving = vote({ ...again.request!, policy: { required: 2, rules: [] } }, 'bob');
    expect(approving.closedAs).toBe('approved');
    const save = () => approvals.saveVote(approving.request, approving.vote, [audit('approval.vote'), audit('approval.decided')], read);
    await expect(save()).rejects.toBeInstanceOf(ConflictError);
    expect(await approvals.get(release.id, 'prod')).toMatchObject({ status: 'pending', version: 1 });
    // The policy was what refused it.
    await db.send(new UpdateCommand({ TableName: tableName, Key: { pk: `APP#${app}`, sk: 'ENV#prod' }, UpdateExpression: 'SET policyVersion = :v', ExpressionAttributeValues: { ':v': request.policyVersion } }));
    await save();
    expect(await approvals.get(release.id, 'prod')).toMatchObject({ status: 'approved', version: 2 });
  });

  it('reads the release waiting while any of its parallel stages waits', async () => {
    const release = await newRelease({ 'prod-eu': queued('prod-eu'), 'prod-us': queued('prod-us') });
    await approvals.open(requestFor(release, { environment: 'prod-eu', id: `${release.id}.prod-eu` }), audit('approval.requested'));
    await approvals.open(requestFor(release, { environment: 'prod-us', id: `${release.id}.prod-us`, policy: { required: 1, rules: [] } }), audit('approval.requested'));
    const us = await approvals.get(release.id, 'prod-us');
    const approved = castVote(us!, { voter: 'alice@example.com', decision: 'approve', at }, new Date(at));
    await approvals.saveVote(approved.request, approved.vote, [audit('approval.vote'), audit('approval.decided')]);
    const read = await releases.get(release.id);
    expect([read?.stages['prod-eu']?.status, read?.stages['prod-us']?.status]).toEqual(['waiting_for_approval', 'running']);
    expect(read?.status).toBe('waiting_for_approval');
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
