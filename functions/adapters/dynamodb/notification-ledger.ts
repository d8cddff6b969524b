import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NotificationLedger } from '../../domain/ports';
import { writeIf } from './conditional';

/** One small item per (event, person), alone in its partition; DynamoDB's TTL removes it after `expiresAt`. */
const markerKey = (eventId: string, person: string) => ({ pk: `NOTIFICATION#${eventId}#${person}`, sk: 'SENT' });

/**
 * The claim is a conditional put, so two deliveries of one event racing each
 * other send one email: the loser's condition fails.
 */
export class DynamoNotificationLedger implements NotificationLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  claim(eventId: string, person: string, expiresAt: number): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...markerKey(eventId, person), kind: 'notification', eventId, person, ttl: expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async release(eventId: string, person: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: markerKey(eventId, person) }));
  }
}
