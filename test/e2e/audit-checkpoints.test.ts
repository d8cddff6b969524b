import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { keys } from '../../functions/adapters/dynamodb/keys';
import { checkpointAudit } from '../../functions/usecases/audit-trail';
import { api, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

// Issue 13: verify starts at the latest signed checkpoint, so any chain verifies within one request;
// `full=true` and the audit:verify job re-verify from the first event.
let stack: TestStack;
let db: DynamoDBDocumentClient;
let reader: DynamoAuditReader;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint });
  reader = new DynamoAuditReader(db, stack.tableName);
  const ci = api(stack);
  // Some history, then quiet: each release waits for approval after staging.
  for (let i = 0; i < 3; i++) await ci.waitForStatus(String((await ci.startRelease({ app: 'hello-web', image: imageFor(`checkpoint-${i}`) })).json.id), ['waiting_for_approval']);
});
afterAll(async () => {
  db?.destroy();
  await stack?.close();
});

type Verified = { ok: boolean; events: number; head: { seq: number }; from: { seq: number; checkpointAt?: string }; firstBreak?: { kind: string; seq: number; detail: string } };
const verify = async (query = '') => (await api(stack, stack.adminToken).call('GET', `/v1/audit/verify?app=hello-web${query}`)).json as Verified;
const checkpoint = () => checkpointAudit({ auditTrail: reader, signingSecret: () => Promise.resolve(stack.signingSecret), clock: () => new Date(), newId: randomUUID }, 'hello-web', 'system:test');
const stored = async (sk: Record<string, string>) => (await db.send(new GetCommand({ TableName: stack.tableName, Key: sk }))).Item!;
const tamper = async (seq: number, actor: string) => db.send(new PutCommand({ TableName: stack.tableName, Item: { ...(await stored(keys.auditEvent('hello-web', seq))), actor } }));
const job = (...args: string[]) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    const env = { ...process.env, TABLE_NAME: stack.tableName, DYNAMODB_ENDPOINT: stack.dynamodbEndpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', LINK_SIGNING_SECRET: stack.signingSecret };
    execFile(join('node_modules', '.bin', 'tsx'), ['scripts/audit-verify.ts', ...args], { env }, (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
  });

describe('audit checkpoints', () => {
  it('verifies from the genesis until a checkpoint exists, then from the checkpoint; a GET writes nothing', async () => {
    const before = await verify();
    expect(before).toMatchObject({ ok: true, from: { seq: 0 } });
    expect(before.events).toBe(before.head.seq);

    const { checkpoint: written } = await checkpoint();
    expect(written?.seq).toBeGreaterThanOrEqual(before.head.seq);
    // The checkpoint is audited in the chain like any change, after the head it vouches for.
    const after = await verify();
    expect(after).toMatchObject({ ok: true, from: { seq: written!.seq, checkpointAt: written!.at } });
    expect(after.head.seq).toBeGreaterThan(written!.seq);
    expect(after.events).toBe(after.head.seq - written!.seq);
    expect((await reader.since('hello-web', written!.seq)).map((e) => e.action)).toContain('audit.checkpointed');

    const head = await stored(keys.auditHead('hello-web'));
    await verify();
    await verify('&full=true');
    expect(await stored(keys.auditHead('hello-web'))).toEqual(head);
    expect((await stored(keys.auditCheckpoint('hello-web'))).seq).toBe(written!.seq);
  }, 60_000);

  it('catches a change after the checkpoint at once, and one before it with full=true and the job', async () => {
    const { checkpoint: at } = await checkpoint();
    const seq = at!.seq;
    await tamper(seq - 1, 'mallory@example.com');
    // The checkpoint vouches for what it covers: the incremental pass does not re-read it…
    expect(await verify()).toMatchObject({ ok: true, from: { seq } });
    // …a full pass and the auditors' job do.
    expect(await verify('&full=true')).toMatchObject({ ok: false, from: { seq: 0 }, firstBreak: { kind: 'changed', seq: seq - 1 } });
    expect(await job('--app', 'hello-web')).toMatchObject({ code: 1, stdout: expect.stringContaining(`BROKEN at seq ${seq - 1} (changed)`) });

    await tamper(seq + 1, 'mallory@example.com');
    expect(await verify()).toMatchObject({ ok: false, firstBreak: { kind: 'changed', seq: seq + 1 } });
  }, 60_000);

  it('refuses a checkpoint not signed with the key, and one beyond the head', async () => {
    const forged = await stored(keys.auditCheckpoint('hello-web'));
    await db.send(new UpdateCommand({ TableName: stack.tableName, Key: keys.auditCheckpoint('hello-web'), UpdateExpression: 'SET seq = :seq', ExpressionAttributeValues: { ':seq': Number(forged.seq) + 1 } }));
    expect(await verify()).toMatchObject({ ok: false, firstBreak: { kind: 'changed', detail: expect.stringContaining("does not carry Gatekeeper's signature") } });
  }, 60_000);
});

describe('the audit:verify job', () => {
  it('re-verifies a whole chain from the table, checks the stored checkpoint and writes a new one', async () => {
    const app = 'job-app';
    const events = Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), app, actor: 'ci:test', action: 'release.requested' as const, subject: `release/${i}`, at: new Date().toISOString() }));
    const { AuditedWriter } = await import('../../functions/adapters/dynamodb/audit-items');
    for (const event of events) await new AuditedWriter(db, stack.tableName).write([], event);
    const first = await job('--app', app, '--checkpoint');
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 5 events, head 5 [0-9a-f]{64}\ncheckpoint written at event 5\n$/) });
    const second = await job('--app', app);
    expect(second).toMatchObject({ code: 0, stdout: expect.stringMatching(/^checkpoint at event 5 \(.+\): on the chain, signature valid\nOK: 6 events, head 6 /) });
  }, 60_000);
});

describe('the audit checkpointer (hourly in AWS)', () => {
  it('signs a checkpoint at each chain head, leaves a current chain alone, and reports a broken chain without vouching for it', async () => {
    // Earlier tests left hello-web's chain changed after its checkpoint; hello-api's chain (its registration) is intact and quiet.
    const webCheckpoint = await stored(keys.auditCheckpoint('hello-web'));
    const apiHead = (await reader.head('hello-api')).seq;

    const first = await stack.checkpointAudit();
    expect(first.checkpointed).toContainEqual({ app: 'hello-api', seq: apiHead });
    expect(first.broken).toContainEqual(expect.objectContaining({ app: 'hello-web', kind: 'changed' }));
    expect(first.errors).toBe(0);
    expect(await stored(keys.auditCheckpoint('hello-web'))).toEqual(webCheckpoint);
    expect((await reader.since('hello-api', apiHead)).map((e) => [e.action, e.actor])).toEqual([['audit.checkpointed', 'system:audit-checkpointer']]);
    const fromCheckpoint = (await api(stack, stack.adminToken).call('GET', '/v1/audit/verify?app=hello-api')).json as Verified;
    expect(fromCheckpoint).toMatchObject({ ok: true, from: { seq: apiHead }, events: 1 });

    // Nothing new but the checkpoint's own event: the next pass writes nothing.
    const second = await stack.checkpointAudit();
    expect(second.current).toEqual(expect.arrayContaining(['hello-api', '*']));
    expect(second.checkpointed).not.toContainEqual(expect.objectContaining({ app: 'hello-api' }));
    expect((await reader.head('hello-api')).seq).toBe(apiHead + 1);
  }, 60_000);
});
