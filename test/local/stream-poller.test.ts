import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { StreamEvent } from '../../functions/adapters/dynamodb/stream-records';
import { tableDefinition } from '../../functions/adapters/dynamodb/table-schema';
import { startStreamPoller, type StreamPollerOptions } from '../../local/stream-poller';
import { ensureTable } from '../../local/tables';

// DynamoDB Local's own stream (DescribeStream, GetShardIterator, GetRecords), read as Lambda's event source mapping would.
const endpoint = inject('dynamodbEndpoint');
const db = new DynamoDBClient({ endpoint, region: 'us-east-1' });
afterAll(() => db.destroy());

const put = (tableName: string, sk: string) => db.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'TEST' }, sk: { S: sk }, kind: { S: 'audit' } } }));
const skOf = (event: StreamEvent) => event.Records.map((r) => `${r.eventName} ${r.dynamodb?.NewImage?.sk?.S ?? ''}`);

async function newTable(): Promise<string> {
  const tableName = `gatekeeper-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  return tableName;
}

/** Starts a poller that records what it was handed; `handler` may refuse a batch. */
async function poll(tableName: string, options: Partial<StreamPollerOptions> = {}) {
  const seen: string[] = [];
  const events: StreamEvent[] = [];
  const poller = await startStreamPoller({
    endpoint,
    tableName,
    pollMs: 50,
    handler: async (event) => {
      events.push(event);
      seen.push(...skOf(event));
      return { batchItemFailures: [] };
    },
    ...options,
  });
  return { seen, events, poller };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the local stream poller', () => {
  let tableName: string;
  beforeAll(async () => {
    tableName = await newTable();
  });

  it('starts at LATEST by default and hands new records to the handler in Lambda\'s event shape, in order', async () => {
    await put(tableName, 'before');
    const { seen, events, poller } = await poll(tableName);
    for (const sk of ['a', 'b', 'c']) await put(tableName, sk);
    await until(() => seen.length >= 3);
    await poller.close();
    expect(seen).toEqual(['INSERT a', 'INSERT b', 'INSERT c']);
    expect(events[0]?.Records[0]).toMatchObject({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { pk: { S: 'TEST' }, sk: { S: 'a' } }, SequenceNumber: expect.any(String), ApproximateCreationDateTime: expect.any(Number), StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('reads everything the stream holds from TRIM_HORIZON', async () => {
    const { seen, poller } = await poll(tableName, { startingPosition: 'TRIM_HORIZON' });
    await until(() => seen.includes('INSERT c'));
    await poller.close();
    expect(seen.slice(0, 4)).toEqual(['INSERT before', 'INSERT a', 'INSERT b', 'INSERT c']);
  });

  it('hands a batch again from the first record the handler reports failed, or from its start when the handler throws', async () => {
    const table = await newTable();
    for (const sk of ['x', 'y', 'z']) await put(table, sk);
    const seen: string[][] = [];
    const poller = await startStreamPoller({
      endpoint,
      tableName: table,
      pollMs: 50,
      startingPosition: 'TRIM_HORIZON',
      handler: async (event) => {
        seen.push(skOf(event));
        if (seen.length === 1) return { batchItemFailures: [{ itemIdentifier: event.Records[1]?.dynamodb?.SequenceNumber ?? '' }] };
        if (seen.length === 2) throw new Error('store unavailable');
        return { batchItemFailures: [] };
      },
    });
    await until(() => seen.length >= 3);
    await poller.close();
    expect(seen).toEqual([['INSERT x', 'INSERT y', 'INSERT z'], ['INSERT y', 'INSERT z'], ['INSERT y', 'INSERT z']]);
  });

  it('enables the stream of a table created without one', async () => {
    const table = `gatekeeper-${randomUUID()}`;
    const { StreamSpecification: _stream, ...withoutStream } = tableDefinition(table);
    await db.send(new CreateTableCommand(withoutStream));
    await ensureTable(endpoint, table);
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    const { seen, poller } = await poll(table);
    await put(table, 'after');
    await until(() => seen.length >= 1);
    await poller.close();
    expect(seen).toEqual(['INSERT after']);
  });
});
