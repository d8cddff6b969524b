import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { StoredWebhookSubscription, WebhookDelivery, WebhookStore } from '../../domain/webhooks';
import { AuditedWriter } from './audit-items';
import { writeIf } from './conditional';
import { readItem } from './item-schemas';
import { keys, partitions, sweeps } from './keys';
import { queryAll } from './query-all';

const readSubscription = (item: Record<string, unknown>): StoredWebhookSubscription => {
  const { format, ...rest } = readItem('webhook', item);
  return { ...rest, kind: format };
};

/** Deliveries are kept this long after their event (DynamoDB TTL), whatever became of them. */
const KEEP_DELIVERIES_SECONDS = 30 * 24 * 3600;

/**
 * Subscriptions (`WEBHOOKS#<app>` / `SUB#<id>`, with the HMAC secret: the
 * table is encrypted at rest and only Gatekeeper's roles read it, as with the
 * API tokens' hashes) and deliveries (`WEBHOOK#<subscription>` /
 * `DELIVERY#<event time>#<event id>`, so the key follows from the event and a
 * redelivered stream record meets the first write's condition). Pending
 * deliveries sit in gsi2 partition `WEBHOOKS#pending` sorted by due time.
 */
export class DynamoWebhookStore implements WebhookStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async subscribe(subscription: StoredWebhookSubscription, audit: AuditEvent): Promise<void> {
    // `kind` is the table's item type; the subscription's own kind is stored as `format`.
    const { kind: format, ...rest } = subscription;
    const Item = { ...keys.webhook(subscription.app, subscription.id), kind: 'webhook', format, ...rest };
    await this.audited.write([{ Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } }], audit);
  }

  async subscriptions(app: string): Promise<StoredWebhookSubscription[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':pk': partitions.webhooks(app), ':sub': 'SUB#' },
      ConsistentRead: true,
    });
    return items.map(readSubscription);
  }

  async subscription(app: string, id: string): Promise<StoredWebhookSubscription | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.webhook(app, id), ConsistentRead: true }));
    return result.Item ? readSubscription(result.Item) : undefined;
  }

  async unsubscribe(app: string, id: string, audit: AuditEvent): Promise<boolean> {
    const remove = { Delete: { TableName: this.tableName, Key: keys.webhook(app, id), ConditionExpression: 'attribute_exists(pk)' } };
    return writeIf(() => this.audited.write([remove], audit));
  }

  async addDelivery(delivery: WebhookDelivery): Promise<boolean> {
    return writeIf(() => this.db.send(new PutCommand({ TableName: this.tableName, Item: this.item(delivery), ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async claim(delivery: WebhookDelivery, until: string): Promise<boolean> {
    return writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(delivery),
          UpdateExpression: 'SET nextAttemptAt = :until, gsi2sk = :sk',
          ConditionExpression: '#status = :pending AND attempts = :attempts AND nextAttemptAt = :due',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':until': until, ':sk': `${until}#${delivery.id}`, ':pending': 'pending', ':attempts': delivery.attempts, ':due': delivery.nextAttemptAt },
        }),
      ),
    );
  }

  async saveAttempt(delivery: WebhookDelivery, previousAttempts: number): Promise<void> {
    // The whole item again: its gsi2 keys follow the status (gone once it is delivered or dead).
    const save = new PutCommand({ TableName: this.tableName, Item: this.item(delivery), ConditionExpression: 'attempts = :previous', ExpressionAttributeValues: { ':previous': previousAttempts } });
    await writeIf(() => this.db.send(save));
  }

  async deliveries(subscriptionId: string, limit: number): Promise<WebhookDelivery[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partitions.webhookDeliveries(subscriptionId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => readItem('webhookDelivery', item));
  }

  async due(now: string, limit: number): Promise<WebhookDelivery[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        // `<due time>#<id>` sorts by time; '~' is after '#', so everything due by `now` is included.
        KeyConditionExpression: 'gsi2pk = :pending AND gsi2sk <= :now',
        ExpressionAttributeValues: { ':pending': sweeps.webhooksDue.gsi2pk, ':now': `${now}~` },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => readItem('webhookDelivery', item));
  }

  private key(delivery: WebhookDelivery) {
    return keys.webhookDelivery(delivery.subscriptionId, delivery.eventAt, delivery.eventId);
  }

  /** With the index entry of a pending delivery (none once it is delivered or dead) and its expiry. */
  private item(delivery: WebhookDelivery): Record<string, unknown> {
    const due = delivery.status === 'pending' && delivery.nextAttemptAt ? { ...sweeps.webhooksDue, gsi2sk: `${delivery.nextAttemptAt}#${delivery.id}` } : {};
    return { ...this.key(delivery), kind: 'webhook-delivery', ...due, ttl: Math.floor(Date.parse(delivery.eventAt) / 1000) + KEEP_DELIVERIES_SECONDS, ...delivery };
  }
}
