import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { ApiToken, App } from '../../domain/catalog';
import { auditedTransaction } from './audit-items';
import { isConditionFailure } from './conditional';
import { keys } from './keys';

/**
 * Registers apps, environments and API tokens, each with its audit event in
 * the same transaction. Used by the admin CLI (`npm run admin`) and the local
 * seed; the request paths only read them.
 */
export class DynamoCatalogWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the app and its environments. With `keepExisting` nothing is written
   * if the app is already registered (the local seed runs on every start and
   * must not reset what the environments currently run).
   */
  async putApp(app: App, audit: AuditEvent, options: { keepExisting?: boolean } = {}): Promise<boolean> {
    const appItem = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.app(app.name), kind: 'app', name: app.name, updatedAt: audit.at },
        ...(options.keepExisting ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
      },
    };
    const environments = app.environments.map((env) => ({
      Put: { TableName: this.tableName, Item: { ...keys.environment(app.name, env.name), kind: 'environment', ...env } },
    }));
    try {
      await this.db.send(auditedTransaction(this.tableName, [appItem, ...environments], audit));
      return true;
    } catch (error) {
      if (options.keepExisting && isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putToken(token: ApiToken, audit: AuditEvent): Promise<void> {
    const put = { Put: { TableName: this.tableName, Item: { ...keys.token(token.hash), kind: 'token', ...token } } };
    await this.db.send(auditedTransaction(this.tableName, [put], audit));
  }
}
