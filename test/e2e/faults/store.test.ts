import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb-local';
import { stablePort } from '../../support/stable-port';
import { api, runningImage } from '../../support/clients';
import { startTestStack, type TestStack } from '../../support/stack';
import { expectAuditIntact, history, nextImage, vote } from './helpers';
import { linkFor } from '../../support/clients';

// Issue 8, defect 3: DynamoDB Local itself stopped and started again (on disk, same port) while a deploy step runs.
let stack: TestStack;
let dynamodb: DynamoDbLocal;
let dataDir: string;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-store-fault-'));
  // Given up and taken again by the restart: never one another test could be handed meanwhile.
  port = await stablePort();
  dynamodb = await startDynamoDbLocal({ port, dataDir });
  // A rollout long enough to stop the store in the middle of the deploy step.
  stack = await startTestStack({ dynamodbEndpoint: dynamodb.endpoint, reconcileIntervalMs: 0, rollout: { delayMs: 1500, progressDeadlineMs: 5000, timeoutSeconds: 10, pollMs: 50 } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await dynamodb?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('a store outage during a deploy step is retried: the release goes on and its record matches the cluster', async () => {
  const ci = api(stack);
  const image = nextImage();
  const created = await ci.startRelease({ app: 'hello-web', image, commit: 'abc1234', author: 'carol@example.com' });
  expect(created.status).toBe(201);
  const id = String(created.json.id);
  const deadline = Date.now() + 10_000;
  while ((await ci.release(id)).stages.find((s) => s.environment === 'staging')?.status !== 'running') {
    if (Date.now() > deadline) throw new Error('staging never started');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await dynamodb.stop();
  // While the store is down the API says so (503 with Retry-After), it does not pretend.
  const during = await fetch(`${stack.apiUrl}/v1/releases/${id}`, { headers: { authorization: `Bearer ${stack.ciToken}` } });
  expect(during.status).toBe(503);
  expect(during.headers.get('retry-after')).toBeTruthy();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  dynamodb = await startDynamoDbLocal({ port, dataDir });

  const waiting = await ci.waitForStatus(id, ['waiting_for_approval', 'failed'], 60_000);
  expect(waiting.status).toBe('waiting_for_approval');
  expect(waiting.stages.find((s) => s.environment === 'staging')).toMatchObject({ status: 'succeeded', image });
  expect(await runningImage(stack, 'staging')).toBe(image);
  expect((await vote(await linkFor(stack, id, 'alice@example.com'))).status).toBe(200);
  expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
  expect(await runningImage(stack, 'prod')).toBe(image);
  const staging = await history(stack, 'staging');
  expect(staging.filter((d) => d.releaseId === id)).toMatchObject([{ result: 'succeeded', image }]);
  await expectAuditIntact(stack);
}, 120_000);

it('a hung store (DynamoDB Local frozen with SIGSTOP) answers 503 with Retry-After in bounded time, never hangs', async () => {
  process.kill(dynamodb.pid, 'SIGSTOP');
  try {
    const started = Date.now();
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    const elapsed = Date.now() - started;
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBeTruthy();
    expect(((await ready.json()) as { type: string }).type).toMatch(/dependency-unavailable$/);
    // Three attempts of at most 5 s each, with the SDK's backoff between them.
    expect(elapsed).toBeLessThan(25_000);
  } finally {
    process.kill(dynamodb.pid, 'SIGCONT');
  }
  expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(200);
}, 60_000);
