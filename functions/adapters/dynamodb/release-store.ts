import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest } from '../../domain/approval';
import type { AuditEvent } from '../../domain/audit';
import type { DeploymentFinish, IdempotencyRecord, ReleaseStore, ReleaseView } from '../../domain/ports';
import { TERMINAL_STATUSES, type Release, type ReleaseStatus, type Stage } from '../../domain/release';
import { AuditedWriter } from './audit-items';
import { conditionally, writeIf } from './conditional';
import { deploymentWrites, environmentUpdate } from './deployment-items';
import { keys, partitions, withoutKeys } from './keys';

const OPEN_REVIEWS = 'REVIEWS#open';

export class DynamoReleaseStore implements ReleaseStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async create(release: Release, audit: AuditEvent, idempotency?: IdempotencyRecord): Promise<void> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.release(release.id),
          kind: 'release',
          // Break-glass releases wait in the review queue until an approver closes their review.
          ...(release.breakGlass ? { gsi1pk: OPEN_REVIEWS, gsi1sk: `${release.createdAt}#${release.id}` } : {}),
          ...release,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const key = idempotency
      ? [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.idempotency(idempotency.identity, idempotency.key), kind: 'idempotency', ttl: idempotency.expiresAt, ...idempotency },
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
              ExpressionAttributeValues: { ':now': Math.floor(Date.parse(release.createdAt) / 1000) },
            },
          },
        ]
      : [];
    await conditionally(() => this.audited.write([put, ...key], audit), `release ${release.id} or its idempotency key already exists`);
  }

  async findIdempotency(identity: string, key: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(identity, key), ConsistentRead: true }));
    return result.Item ? withoutKeys<IdempotencyRecord>(result.Item) : undefined;
  }

  closeReview(releaseId: string, review: { by: string; comment: string; at: string }, audit: AuditEvent): Promise<boolean> {
    const update = {
      Update: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        UpdateExpression: 'SET breakGlass.review = :review REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(breakGlass) AND attribute_not_exists(breakGlass.review)',
        ExpressionAttributeValues: { ':review': review },
      },
    };
    return writeIf(() => this.audited.write([update], audit));
  }

  async listOpenReviews(): Promise<Release[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :reviews',
        ExpressionAttributeValues: { ':reviews': OPEN_REVIEWS },
      }),
    );
    return (result.Items ?? []).map((item) => withoutKeys<Release>(item));
  }

  async get(id: string): Promise<Release | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.release(id), ConsistentRead: true }));
    return result.Item ? withoutKeys<Release>(result.Item) : undefined;
  }

  async view(id: string): Promise<ReleaseView | undefined> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partitions.release(id) },
        ConsistentRead: true,
      }),
    );
    const items = result.Items ?? [];
    const release = items.find((item) => item.sk === 'RELEASE');
    if (!release) return undefined;
    return {
      release: withoutKeys<Release>(release),
      approvals: items.filter((item) => String(item.sk).startsWith('APPROVAL#')).map((item) => withoutKeys<ApprovalRequest>(item)),
    };
  }

  async saveStage(release: Release, stage: Stage, audit: AuditEvent, finish?: DeploymentFinish): Promise<void> {
    const stageUpdate = {
      Update: {
        TableName: this.tableName,
        Key: keys.release(release.id),
        UpdateExpression: 'SET stages.#env = :stage, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#env': stage.environment },
        ExpressionAttributeValues: { ':stage': stage, ':at': audit.at },
      },
    };
    // A succeeded stage becomes what the environment runs (shown to the next approvers).
    const current = stage.status === 'succeeded' ? { image: stage.image, releaseId: release.id, deployedAt: stage.finishedAt ?? audit.at } : undefined;
    const environment = environmentUpdate(this.tableName, release.app, stage.environment, { ...(current ? { current } : {}), ...(finish ? { finish } : {}) });
    const writes = [stageUpdate, ...(environment ? [environment] : []), ...(finish ? deploymentWrites(this.tableName, finish) : [])];
    await conditionally(() => this.audited.write(writes, audit), `${release.app}/${stage.environment} changed while this deployment was recorded; the step is retried`);
  }

  finish(releaseId: string, outcome: { status: ReleaseStatus; at: string; reason?: string }, audit: AuditEvent): Promise<boolean> {
    const update = {
      Update: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        UpdateExpression: `SET #status = :status, finishedAt = :at, updatedAt = :at${outcome.reason ? ', reason = :reason' : ''}`,
        // A release ends once: a retried step must not rewrite history.
        ConditionExpression: `attribute_exists(pk) AND NOT #status IN (${Object.keys(terminalStatusValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':at': outcome.at,
          ...(outcome.reason ? { ':reason': outcome.reason } : {}),
          ...terminalStatusValues,
        },
      },
    };
    return writeIf(() => this.audited.write([update], audit));
  }
}

/** `:t0`…`:t4` for conditions on "not yet finished". */
export const terminalStatusValues = Object.fromEntries(TERMINAL_STATUSES.map((status, i) => [`:t${i}`, status]));
