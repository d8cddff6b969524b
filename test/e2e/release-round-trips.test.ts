import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy, type CountingProxy } from '../../bench/counting-proxy';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../functions/adapters/dynamodb/directory-store';
import { createApp } from '../../functions/api/app';
import { buildApiDeps } from '../../functions/runtime/api';
import { DEMO_CI_IDENTITY } from '../../local/seed';
import { imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

// Issue 13: what one POST /v1/releases costs in round trips, counted at DynamoDB's door (an instance of the
// API whose DynamoDB endpoint is a counting proxy), and that the cuts keep idempotency and revocation.
let stack: TestStack;
let proxy: CountingProxy;
let starts = 0;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  proxy = await startCountingProxy(stack.dynamodbEndpoint);
  const deps = buildApiDeps({ ...stack.env, DYNAMODB_ENDPOINT: proxy.url });
  const start = deps.workflow.start.bind(deps.workflow);
  deps.workflow.start = (...args) => ((starts += 1), start(...args));
  app = createApp(deps);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

const post = (body: Record<string, unknown>, key?: string) =>
  app.request('/v1/releases', {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.ciToken}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

/** DynamoDB calls and executions started by `send`. */
async function counted(send: () => Response | Promise<Response>) {
  proxy.reset();
  starts = 0;
  const response = await send();
  const json = (await response.json()) as Record<string, unknown>;
  return { response, json, calls: Object.fromEntries(proxy.counts), starts };
}

describe('POST /v1/releases, round trips', () => {
  it('reads token and directory in one BatchGetItem, the app in one Query, writes in one transaction, starts once', async () => {
    // The first write of this instance reads the chain head; a warm instance knows it.
    expect((await post({ app: 'hello-web', image: imageFor('warm-up') })).status).toBe(201);
    const fresh = await counted(() => post({ app: 'hello-web', image: imageFor('counted') }, `rt-${randomUUID()}`));
    expect(fresh.response.status).toBe(201);
    expect(fresh.calls).toEqual({ BatchGetItem: 1, Query: 1, TransactWriteItems: 1 });
    expect(fresh.starts).toBe(1);
  });

  it('keeps idempotency without reading the key first: a repeat replays and starts nothing, another body is 422', async () => {
    const key = `rt-${randomUUID()}`;
    const body = { app: 'hello-web', image: imageFor('idempotent') };
    const first = await counted(() => post(body, key));
    expect(first.response.status).toBe(201);
    const again = await counted(() => post(body, key));
    expect(again.response.status).toBe(201);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.id).toBe(first.json.id);
    expect(again.starts).toBe(0);
    const other = await counted(() => post({ ...body, comment: 'another body' }, key));
    expect(other.json).toMatchObject({ status: 422, type: expect.stringMatching(/idempotency-key-reused$/) });
    expect(other.starts).toBe(0);
  });

  it('judges by the directory as it is at the request: a removed grant refuses the next release, writing nothing', async () => {
    const directory = new DynamoDirectoryStore(createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint }), stack.tableName);
    const before = await directory.get();
    const audit = (id: string) => ({ id, app: '*', actor: 'admin@example.com', action: 'directory.changed' as const, subject: 'directory', at: new Date().toISOString() });
    const without = await directory.save({ ...before, grants: before.grants.filter((g) => !('user' in g.subject && g.subject.user === DEMO_CI_IDENTITY)) }, before.version, audit(randomUUID()));
    try {
      const refused = await counted(() => post({ app: 'hello-web', image: imageFor('no-grant') }, `rt-${randomUUID()}`));
      expect(refused.json).toMatchObject({ status: 403 });
      expect(refused.response.headers.get('content-type')).toContain('application/problem+json');
      // Read, judged, refused: no write of any kind; only then is the key read (a repeat would be answered as the first time).
      expect(refused.calls).toEqual({ BatchGetItem: 1, Query: 1, GetItem: 1 });
      expect(refused.starts).toBe(0);
    } finally {
      await directory.save(before, without.version, audit(randomUUID()));
    }
    expect((await post({ app: 'hello-web', image: imageFor('grant-back') })).status).toBe(201);
  });
});

describe('GET /v1/releases/{id}, round trips', () => {
  it('judges by the directory read with the token: no second read of it', async () => {
    const { json } = await counted(() => post({ app: 'hello-web', image: imageFor('read-back') }));
    const read = await counted(() => app.request(`/v1/releases/${String(json.id)}`, { headers: { authorization: `Bearer ${stack.ciToken}` } }));
    expect(read.response.status).toBe(200);
    // Token and directory, then the release view; no GetItem of the directory for the permission check.
    expect(read.calls).toEqual({ BatchGetItem: 1, Query: 1 });
  });
});
