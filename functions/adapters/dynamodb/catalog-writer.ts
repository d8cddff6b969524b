import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiToken, App } from '../../domain/catalog';
import { keys } from './keys';

/**
 * Registers apps, environments and API tokens. Used by the admin CLI
 * (`npm run admin`) and the local seed; the request paths only read them.
 */
export class DynamoCatalogWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the app and its environments in one transaction. With `keepCurrent`
   * an existing environment is left as it is (the seed re-runs on every start).
   */
  async putApp(app: App, at: string, options: { keepCurrent?: boolean } = {}): Promise<void> {
    const condition = options.keepCurrent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {};
    const items = [
      { ...keys.app(app.name), kind: 'app', name: app.name, updatedAt: at },
      ...app.environments.map((env) => ({ ...keys.environment(app.name, env.name), kind: 'environment', ...env })),
    ];
    if (options.keepCurrent) {
      for (const Item of items) {
        await this.db
          .send(new PutCommand({ TableName: this.tableName, Item, ...condition }))
          .catch((error: Error) => {
            if (error.name !== 'ConditionalCheckFailedException') throw error;
          });
      }
      return;
    }
    await this.db.send(new TransactWriteCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: this.tableName, Item } })) }));
  }

  async putToken(token: ApiToken): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.token(token.hash), kind: 'token', ...token } }));
  }
}
