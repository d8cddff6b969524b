import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deployment } from '../../domain/deployment';
import type { DayBucket } from '../../domain/dora';
import type { DeploymentPage, DeploymentStore } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, partitions} from './keys';
import { readItem } from './item-schemas';

/** Deployment history (newest first, paged by cursor) and the per-day metric buckets. */
export class DynamoDeploymentStore implements DeploymentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async history(app: string, environment: string, options: { limit: number; cursor?: string }): Promise<DeploymentPage> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partitions.deployments(app, environment) },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor, partitions.deployments(app, environment), 'history') } : {}),
      }),
    );
    const next = encodeCursor(result.LastEvaluatedKey);
    return { deployments: (result.Items ?? []).map((item) => readItem('deployment', item)), ...(next ? { cursor: next } : {}) };
  }

  async get(app: string, environment: string, id: string): Promise<Deployment | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.deployment(app, environment, id), ConsistentRead: true }));
    return result.Item ? readItem('deployment', result.Item) : undefined;
  }

  async buckets(app: string, environment: string, fromDay: string, toDay: string): Promise<DayBucket[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': partitions.metrics(app, environment), ':from': fromDay, ':to': toDay },
      }),
    );
    return (result.Items ?? []).map((item) => readItem('dayBucket', item));
  }
}
