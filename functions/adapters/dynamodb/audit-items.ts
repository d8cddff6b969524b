import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
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

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One transaction: the writes of a state change and the audit events that record it. */
export function auditedTransaction(tableName: string, writes: TransactItem[], audit: AuditEvent | AuditEvent[]): TransactWriteCommand {
  const events = Array.isArray(audit) ? audit : [audit];
  return new TransactWriteCommand({ TransactItems: [...writes, ...events.map((event) => auditPut(tableName, event))] });
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
