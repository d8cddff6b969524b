import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { App } from '../../domain/catalog';
import type { ApprovalPolicy } from '../../domain/policy';
import { AuditedWriter } from './audit-items';
import { conditionally, isConditionFailure } from './conditional';
import { keys, sweeps } from './keys';

/**
 * Registers apps and their environments, with the audit event in
 * the same transaction. Used by the admin CLI (`npm run admin`) and the local
 * seed; the request paths only read them.
 */
export class DynamoCatalogWriter {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

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
      Put: { TableName: this.tableName, Item: { ...keys.environment(app.name, env.name), kind: 'environment', ...sweeps.environments, gsi2sk: `${app.name}#${env.name}`, ...env } },
    }));
    try {
      await this.audited.write([appItem, ...environments], audit);
      return true;
    } catch (error) {
      if (options.keepExisting && isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Replaces an environment's policy if it is still at `expectedVersion`; returns the new version. */
  async putPolicy(app: string, environment: string, policy: ApprovalPolicy, expectedVersion: number, audit: AuditEvent): Promise<number> {
    const update = {
      Update: {
        TableName: this.tableName,
        Key: keys.environment(app, environment),
        UpdateExpression: 'SET policy = :policy, policyVersion = :next',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(policyVersion) OR policyVersion = :expected)',
        ExpressionAttributeValues: { ':policy': policy, ':next': expectedVersion + 1, ':expected': expectedVersion },
      },
    };
    await conditionally(
      () => this.audited.write([update], audit),
      `the policy of ${app}/${environment} was changed by someone else meanwhile; reload and try again`,
    );
    return expectedVersion + 1;
  }
}
