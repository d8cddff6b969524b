import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { AuditLog } from '../../domain/ports';
import { keys } from './keys';

/** The transaction entry that appends an audit event; never overwrites one. */
export function auditPut(tableName: string, event: AuditEvent) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.audit(event.app, event.at, event.id), kind: 'audit', ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand(auditPut(this.tableName, event).Put));
  }
}
