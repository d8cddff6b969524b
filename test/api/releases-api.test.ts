import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys';
import { hashToken } from '../../functions/domain/token';
import { api, approvalLink, imageFor, mailbox } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { itemCount } from '../support/table';

let stack: TestStack;
let ci: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
});
afterAll(() => stack?.close());

async function registerToken(token: string, identity: string, extra: Record<string, string> = {}) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' }));
  await db.send(new PutCommand({ TableName: stack.tableName, Item: { ...keys.token(hashToken(token)), id: token.slice(-8), type: 'ci', createdBy: 'test', hash: hashToken(token), identity, createdAt: new Date().toISOString(), ...extra } }));
  db.destroy();
}

async function waitingRelease(seed: string) {
  const image = imageFor(seed);
  const id = String((await ci.startRelease({ app: 'hello-web', image })).json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  const [email] = await mailbox(stack).waitFor((e) => e.destination.to.includes('alice@example.com') && e.subject.includes(image.split('@')[1]?.slice(0, 19) ?? ''), 1);
  return { id, link: approvalLink(email!) };
}

describe('GET never changes state', () => {
  it('renders the confirmation page any number of times without writing', async () => {
    const { link } = await waitingRelease('get-only');
    const before = await itemCount(stack);
    for (let i = 0; i < 3; i++) expect((await fetch(link)).status).toBe(200);
    expect(await itemCount(stack)).toBe(before);
  });
});

describe('problems', () => {
  it('answers humans with an HTML page and machines with problem+json', async () => {
    const html = await fetch(`${stack.apiUrl}/approve/not-a-token`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(403);
    expect(html.headers.get('content-type')).toContain('text/html');
    const json = await fetch(`${stack.apiUrl}/approve/not-a-token`);
    expect(json.headers.get('content-type')).toContain('application/problem+json');
    expect(await json.json()).toMatchObject({ type: 'https://gatekeeper.dev/problems/invalid-link', status: 403 });
  });

  it('refuses a decision that is neither approve nor reject, writing nothing', async () => {
    const { id, link } = await waitingRelease('bad-decision');
    const response = await fetch(link, { method: 'POST', body: new URLSearchParams({ decision: 'maybe' }) });
    expect(response.status).toBe(400);
    expect((await ci.release(id)).approvals[0]?.votes).toEqual([]);
  });

  it('says what is wrong with unknown releases, ids and routes', async () => {
    expect((await ci.call('GET', '/v1/releases/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await ci.call('GET', '/v1/releases/nope')).json).toMatchObject({ status: 400, detail: '"nope" is not a release id' });
    expect((await ci.call('GET', '/v2/things')).json).toMatchObject({ status: 404, type: 'https://gatekeeper.dev/problems/not-found' });
  });

  it('refuses revoked and expired tokens', async () => {
    await registerToken('gk_revoked_token_for_tests_0001', 'ci:revoked', { revokedAt: '2026-01-01T00:00:00Z' });
    await registerToken('gk_expired_token_for_tests_0001', 'ci:expired', { expiresAt: '2026-01-01T00:00:00Z' });
    for (const token of ['gk_revoked_token_for_tests_0001', 'gk_expired_token_for_tests_0001']) {
      expect((await ci.call('GET', '/v1/releases/00000000-0000-0000-0000-000000000000', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    }
  });
});

describe('cancel', () => {
  it('lets only the requester cancel, and only while the release waits for approval', async () => {
    const { id } = await waitingRelease('cancel');
    await registerToken('gk_other_pipeline_token_000001', 'ci:other-pipeline');
    const other = await ci.call('POST', `/v1/releases/${id}/cancel`, undefined, { authorization: 'Bearer gk_other_pipeline_token_000001' });
    expect(other.status).toBe(403);

    expect((await ci.call('POST', `/v1/releases/${id}/cancel`)).status).toBe(202);
    const cancelled = await ci.waitForStatus(id, ['cancelled']);
    expect(cancelled.approvals[0]?.status).toBe('cancelled');

    const again = await ci.call('POST', `/v1/releases/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(String(again.json.detail)).toContain('only a release waiting for approval can be cancelled');
  });
});
