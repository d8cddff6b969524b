import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AuditedWriter } from '../../functions/adapters/dynamodb/audit-items';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { ensureTable } from '../../local/tables';

const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const reader = new DynamoAuditReader(db, tableName);

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), tableName);
  const writer = new AuditedWriter(db, tableName);
  // 30 events: every third by bob, in prod; the rest by alice, in staging.
  for (let i = 0; i < 30; i++) {
    const bob = i % 3 === 0;
    await writer.write([], {
      id: randomUUID(),
      app: 'shop',
      actor: bob ? 'bob@example.com' : 'alice@example.com',
      action: 'approval.vote',
      subject: `release/r${i}/approval/${bob ? 'prod' : 'staging'}`,
      at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    });
  }
});
afterAll(() => db.destroy());

it('filters first, then pages: every page is full until the last, and the pages add up to every match', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await reader.page('shop', { actor: 'bob@example.com', limit: 3, ...(cursor ? { cursor } : {}) });
    pages += 1;
    if (page.cursor) expect(page.events).toHaveLength(3);
    seen.push(...page.events.map((e) => e.subject));
    cursor = page.cursor;
  } while (cursor && pages < 10);
  expect(seen).toHaveLength(10);
  expect(new Set(seen).size).toBe(10);
  expect(seen.every((s) => s.endsWith('/prod'))).toBe(true);
});

it('applies environment and time filters before the limit too', async () => {
  const byEnv = await reader.page('shop', { environment: 'prod', limit: 3 });
  expect(byEnv.events).toHaveLength(3);
  const since = await reader.page('shop', { from: new Date(Date.UTC(2026, 10, 1, 0, 27)).toISOString(), limit: 3 });
  expect(since.events.map((e) => e.subject)).toEqual(['release/r27/approval/prod', 'release/r28/approval/staging', 'release/r29/approval/staging']);
  expect(since.cursor).toBeUndefined();
});
