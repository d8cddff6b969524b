import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BusyError } from '../../domain/errors';

/** Reads of keys BatchGetItem left unprocessed (throttling) before the read answers 503. */
const UNPROCESSED_ATTEMPTS = 6;

type Key = { pk: string; sk: string };

/**
 * One strongly consistent BatchGetItem of a few items of the table: each as
 * last committed, one round trip for what would be several GetItems. Keys
 * DynamoDB leaves unprocessed are asked again (with a short jittered pause);
 * `what` names the read in the 503 if they never are.
 */
export async function batchGetConsistent(db: DynamoDBDocumentClient, tableName: string, wanted: Key[], what: string): Promise<(key: Key) => Record<string, unknown> | undefined> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: Array<Record<string, unknown>> = wanted;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > UNPROCESSED_ATTEMPTS) throw new BusyError(`DynamoDB left ${what} unprocessed; try again shortly`);
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    const result = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
    for (const item of result.Responses?.[tableName] ?? []) found.set(`${String(item.pk)}|${String(item.sk)}`, item);
    pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return (key) => found.get(`${key.pk}|${key.sk}`);
}
