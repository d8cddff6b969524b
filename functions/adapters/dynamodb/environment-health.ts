import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { Drift, Environment } from '../../domain/catalog';
import type { EnvironmentHealth } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { writeIf } from './conditional';
import { keys, sweeps} from './keys';
import { querySweep } from './query-all';
import { readItem } from './item-schemas';

export class DynamoEnvironmentHealth implements EnvironmentHealth {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async listEnvironments(): Promise<Environment[]> {
    const items = await querySweep(this.db, this.tableName, sweeps.environments.gsi2pk);
    return items.map((item) => readItem('environment', item));
  }

  recordDrift(env: Environment, drift: Drift, audit: AuditEvent): Promise<boolean> {
    return writeIf(() => this.audited.write([this.update(env, 'SET drift = :drift', { ':drift': drift })], audit));
  }

  clearDrift(env: Environment, audit: AuditEvent): Promise<boolean> {
    return writeIf(() => this.audited.write([this.update(env, 'REMOVE drift', {})], audit));
  }

  /** Conditional on the record being as read: the recorded image has not moved, the drift is the one seen, no deploy started since. */
  private update(env: Environment, expression: string, values: Record<string, unknown>) {
    const conditions = [
      env.current ? '#current.image = :recorded' : 'attribute_not_exists(#current)',
      env.drift ? 'drift.since = :since' : 'attribute_not_exists(drift)',
      // A deploy that started since the read is changing the cluster: what was seen is not drift.
      env.deploying ? 'deploying.releaseId = :deploying' : 'attribute_not_exists(deploying)',
    ];
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.environment(env.app, env.name),
        UpdateExpression: expression,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#current': 'current' },
        ExpressionAttributeValues: {
          ...values,
          ...(env.current ? { ':recorded': env.current.image } : {}),
          ...(env.drift ? { ':since': env.drift.since } : {}),
          ...(env.deploying ? { ':deploying': env.deploying.releaseId } : {}),
        },
      },
    };
  }
}
