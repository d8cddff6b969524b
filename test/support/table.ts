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

export async function itemCount(stack: TestStack): Promise<number> {
  return (await scan(stack, { Select: 'COUNT' })).Count ?? 0;
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
