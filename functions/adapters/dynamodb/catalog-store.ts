import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { App, Environment } from '../../domain/catalog';
import type { CatalogStore } from '../../domain/ports';
import { keys, partitions, sweeps } from './keys';
import { querySweep } from './query-all';
import { readItem } from './item-schemas';

export class DynamoCatalogStore implements CatalogStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getApp(name: string): Promise<App | undefined> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partitions.app(name) },
      }),
    );
    const items = result.Items ?? [];
    if (!items.some((item) => item.sk === 'APP')) return undefined;
    const environments = items
      .filter((item) => String(item.sk).startsWith('ENV#'))
      .map((item) => readItem('environment', item))
      .sort((a, b) => a.order - b.order);
    return { name, environments };
  }

  async getEnvironment(app: string, environment: string): Promise<Environment | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.environment(app, environment), ConsistentRead: true }),
    );
    return result.Item ? readItem('environment', result.Item) : undefined;
  }

  async listApps(): Promise<App[]> {
    const byApp = new Map<string, Environment[]>();
    for (const item of await querySweep(this.db, this.tableName, sweeps.environments.gsi2pk)) {
      const env = readItem('environment', item);
      byApp.set(env.app, [...(byApp.get(env.app) ?? []), env]);
    }
    return [...byApp.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, environments]) => ({ name, environments: environments.sort((a, b) => a.order - b.order) }));
  }
}
