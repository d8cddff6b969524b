import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TestStack } from './stack';

// Scans are fine here: the tests count what exists; no request path ever scans.

async function scan(stack: TestStack, input: Omit<ConstructorParameters<typeof ScanCommand>[0], 'TableName'>) {
  const db = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' });
  try {
    return await db.send(new ScanCommand({ TableName: stack.tableName, ...input }));
  } finally {
    db.destroy();
  }
}

/**
 * Items a request wrote, not counting what the events handler writes later from
 * the table's stream in reaction to earlier changes (notification markers,
 * webhook deliveries): those arrive whenever the stream is read, so "a refused
 * request writes nothing" would otherwise race them. A refused request that
 * wrote an audit event is still caught: the event itself is counted.
 */
export async function itemCount(stack: TestStack): Promise<number> {
  const result = await scan(stack, {
    Select: 'COUNT',
    FilterExpression: 'attribute_not_exists(kind) OR NOT kind IN (:notification, :delivery)',
    ExpressionAttributeValues: { ':notification': { S: 'notification' }, ':delivery': { S: 'webhook-delivery' } },
  });
  return result.Count ?? 0;
}

/** The audit events about one release, oldest first. */
export async function auditEvents(stack: TestStack, releaseId: string): Promise<Array<{ action: string; actor: string; at: string }>> {
  const result = await scan(stack, {
    FilterExpression: 'kind = :audit AND begins_with(subject, :subject)',
    ExpressionAttributeValues: { ':audit': { S: 'audit' }, ':subject': { S: `release/${releaseId}` } },
  });
  return (result.Items ?? [])
    .map((item) => ({ action: item.action?.S ?? '', actor: item.actor?.S ?? '', at: item.at?.S ?? '' }))
    .sort((a, b) => a.at.localeCompare(b.at));
}
