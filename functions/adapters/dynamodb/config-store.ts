import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest } from '../../domain/approval';
import type { AuditEvent } from '../../domain/audit';
import type { AppConfig } from '../../domain/config';
import type { ConfigDraft, ConfigVersion } from '../../domain/config-change';
import type { ConfigStore } from '../../domain/ports';
import { closeRequestWrite, pendingRequestItem } from './approval-store';
import { AuditedWriter, type TransactItem } from './audit-items';
import { conditionally } from './conditional';
import { publishWrites } from './config-items';
import { keys, partitions} from './keys';
import { readItem } from './item-schemas';

/** Base configurations, published versions and open drafts (one partition per environment). */
export class DynamoConfigStore implements ConfigStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async base(app: string): Promise<AppConfig> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.configBase(app), ConsistentRead: true }));
    return (result.Item?.config as AppConfig | undefined) ?? {};
  }

  async putBase(app: string, config: AppConfig, audit: AuditEvent): Promise<void> {
    await this.audited.write([{ Put: { TableName: this.tableName, Item: { ...keys.configBase(app), kind: 'config-base', app, config } } }], audit);
  }

  async latest(app: string, environment: string): Promise<ConfigVersion | undefined> {
    return (await this.versions(app, environment, 1))[0];
  }

  async version(app: string, environment: string, version: number): Promise<ConfigVersion | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.configVersion(app, environment, version) }));
    return result.Item ? readItem('configVersion', result.Item) : undefined;
  }

  async versions(app: string, environment: string, limit = 100): Promise<ConfigVersion[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': partitions.config(app, environment), ':v': 'V#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => readItem('configVersion', item));
  }

  async publish(version: ConfigVersion, audit: AuditEvent): Promise<void> {
    await conditionally(
      () => this.audited.write(publishWrites(this.tableName, version), audit),
      `another configuration of ${version.app}/${version.environment} was published meanwhile; start again from version ${version.baseVersion + 1} or later`,
    );
  }

  async draft(app: string, environment: string): Promise<ConfigDraft | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.configDraft(app, environment), ConsistentRead: true }));
    return result.Item ? readItem('configDraft', result.Item) : undefined;
  }

  async saveDraft(draft: ConfigDraft, request: ApprovalRequest, audit: AuditEvent, previous?: { draft: ConfigDraft; request: ApprovalRequest }): Promise<void> {
    const putDraft: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.configDraft(draft.app, draft.environment), kind: 'config-draft', ...draft },
        // One open draft per environment; an edit replaces only the draft it read.
        ConditionExpression: previous ? 'updatedAt = :updatedAt' : 'attribute_not_exists(pk)',
        ...(previous ? { ExpressionAttributeValues: { ':updatedAt': previous.draft.updatedAt } } : {}),
      },
    };
    // A new or edited draft gets a fresh request: an edit resets the votes.
    const putRequest: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: pendingRequestItem(request),
        ...(previous ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': previous.request.version } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    };
    await conditionally(
      () => this.audited.write([putDraft, putRequest], audit),
      previous ? 'the draft was changed or decided meanwhile; reload it' : `${draft.app}/${draft.environment} already has an open draft; edit or discard it`,
    );
  }

  async discard(draft: ConfigDraft, request: ApprovalRequest, reason: string, audit: AuditEvent): Promise<void> {
    const closeRequest = closeRequestWrite(this.tableName, request, 'cancelled', reason, audit.at);
    const remove: TransactItem = {
      Delete: { TableName: this.tableName, Key: keys.configDraft(draft.app, draft.environment), ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': draft.id } },
    };
    await conditionally(() => this.audited.write([remove, closeRequest], audit), 'the draft was decided or replaced meanwhile');
  }
}
