import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { SecurityLog } from '../../domain/ports';
import { withoutKeys } from './keys';

const RETENTION_SECONDS = 90 * 24 * 3600;

/** One partition per UTC day; no chain, no head: a write never waits for another. */
export class DynamoSecurityLog implements SecurityLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `SECURITY#${event.at.slice(0, 10)}`, sk: `${event.at}#${event.id}`, kind: 'security', ttl: Math.floor(Date.parse(event.at) / 1000) + RETENTION_SECONDS, ...event },
      }),
    );
  }

  async day(day: string, limit: number): Promise<AuditEvent[]> {
    const result = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SECURITY#${day}` }, Limit: limit }));
    return (result.Items ?? []).map((item) => withoutKeys<AuditEvent>(item));
  }
}
