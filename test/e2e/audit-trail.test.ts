import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys';
import { api, as, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: ReturnType<typeof api>;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  admin = api(stack, stack.adminToken);
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' }));
  // Some history: a release that waits, is cancelled, and a refused vote.
  const ci = api(stack);
  const id = String((await ci.startRelease({ app: 'hello-web', image: imageFor('audit') })).json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  await (await as(stack, 'erin@example.com')).call('POST', `/v1/approvals/${id}.prod/decision`, { decision: 'approve' });
  await ci.call('POST', `/v1/releases/${id}/cancel`);
  await ci.waitForStatus(id, ['cancelled']);
});
afterAll(async () => {
  db?.destroy();
  await stack?.close();
});

const verify = async () => (await admin.call('GET', '/v1/audit/verify?app=hello-web')).json as { ok: boolean; events: number; firstBreak?: { kind: string; seq: number; detail: string } };
const item = async (seq: number) => (await db.send(new GetCommand({ TableName: stack.tableName, Key: keys.auditEvent('hello-web', seq) }))).Item!;
const put = (value: Record<string, unknown>) => db.send(new PutCommand({ TableName: stack.tableName, Item: value }));

describe('a tamper-evident audit trail (B3)', () => {
  it('verifies an intact chain', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true });
    expect(result.events).toBeGreaterThanOrEqual(8);
  });

  it('finds a changed field at its sequence number', async () => {
    const original = await item(4);
    await put({ ...original, actor: 'mallory@example.com' });
    try {
      expect((await verify()).firstBreak).toMatchObject({ kind: 'changed', seq: 4 });
    } finally {
      await put(original);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('finds a deleted event', async () => {
    const original = await item(5);
    await db.send(new DeleteCommand({ TableName: stack.tableName, Key: keys.auditEvent('hello-web', 5) }));
    try {
      expect((await verify()).firstBreak).toMatchObject({ kind: 'missing', seq: 5 });
    } finally {
      await put(original);
    }
  });

  it('finds two events swapped', async () => {
    const [five, six] = [await item(5), await item(6)];
    await put({ ...six, sk: five.sk });
    await put({ ...five, sk: six.sk });
    try {
      expect((await verify()).firstBreak).toMatchObject({ kind: 'reordered', seq: 5 });
    } finally {
      await put(five);
      await put(six);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('exports JSON Lines with the head that the offline verifier checks, and CSV', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/audit/export?app=hello-web&format=jsonl`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const file = join(tmpdir(), `audit-${Date.now()}.jsonl`);
    await writeFile(file, await response.text());
    const { stdout } = await promisify(execFile)(join('node_modules', '.bin', 'tsx'), ['scripts/audit-verify.ts', file]);
    expect(stdout).toMatch(/^OK: \d+ events, head \d+ [0-9a-f]{64}/);
    const csv = await fetch(`${stack.apiUrl}/v1/audit/export?app=hello-web&format=csv`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect((await csv.text()).split('\r\n')[0]).toBe('seq,at,app,actor,action,subject,detail,prevHash,hash');
  });

  it('filters by actor and time, pages by cursor, and keeps the directory chain for admins', async () => {
    const refused = await admin.call('GET', '/v1/audit?app=hello-web&actor=erin@example.com');
    expect(refused.json.events).toEqual([expect.objectContaining({ action: 'approval.refused', actor: 'erin@example.com' })]);
    const page = await admin.call('GET', '/v1/audit?app=hello-web&limit=2');
    expect((page.json.events as unknown[]).length).toBe(2);
    const next = await admin.call('GET', `/v1/audit?app=hello-web&limit=2&cursor=${page.json.cursor}`);
    expect((next.json.events as Array<{ seq: number }>)[0]?.seq).toBe(3);
    expect((await admin.call('GET', `/v1/audit?app=hello-web&from=${new Date(Date.now() + 60_000).toISOString()}`)).json.events).toEqual([]);
    expect((await api(stack).call('GET', '/v1/audit?app=*')).status).toBe(403);
    expect((await admin.call('GET', '/v1/audit/verify?app=*')).json).toMatchObject({ ok: true });
  });
});
