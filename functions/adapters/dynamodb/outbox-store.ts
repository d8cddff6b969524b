import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Outbox, OutboxItem } from '../../domain/ports';
import { writeIf } from './conditional';
import { keys} from './keys';
import { readItem } from './item-schemas';

/** Undelivered task callbacks in one partition, oldest first (ids start with their ISO time). */
export class DynamoOutbox implements Outbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(item: OutboxItem): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.outbox(item.id), kind: 'outbox', ...item } }));
  }

  async list(limit: number): Promise<OutboxItem[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.outbox('').pk },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => readItem('outbox', item));
  }

  async remove(id: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.outbox(id) }));
  }

  async recordAttempt(id: string, error: string): Promise<void> {
    // False when a concurrent pass delivered and removed it meanwhile.
    await writeIf(() => this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.outbox(id),
        UpdateExpression: 'SET lastError = :error ADD attempts :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':error': error, ':one': 1 },
      }),
    ));
  }
}
