import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { ClosedWithoutDecision, DeploymentFinish, IdempotencyRecord, ReleaseFinish, ReleaseStore, ReleaseView } from '../../domain/ports';
import { ConflictError } from '../../domain/errors';
import { isTerminal, releaseStatus, type Release, type ReleaseStatus, type Stage } from '../../domain/release';
import { closeRequestWrite } from './approval-store';
import { AuditedWriter } from './audit-items';
import { conditionally, isConditionFailure, writeIf } from './conditional';
import { deploymentWrites, environmentUpdate, markDeployment, type EnvironmentChanges } from './deployment-items';
import { keys, partitions, sweeps} from './keys';
import { querySweep } from './query-all';
import { terminalStatusValues } from './terminal-status';
import { readItem } from './item-schemas';

/** Attempts of read → write when a vote or close races the finish. */
const FINISH_ATTEMPTS = 6;

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
          // In flight until finished: the reconciler sweeps this index.
          ...sweeps.inFlight,
          gsi2sk: `${release.createdAt}#${release.id}`,
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
    return result.Item ? readItem('idempotency', result.Item) : undefined;
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
    return (result.Items ?? []).map((item) => readRelease(item));
  }

  async get(id: string): Promise<Release | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.release(id), ConsistentRead: true }));
    return result.Item ? readRelease(result.Item) : undefined;
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
      release: readRelease(release),
      approvals: items.filter((item) => String(item.sk).startsWith('APPROVAL#')).map((item) => readItem('approval', item)),
    };
  }

  async saveStage(release: Release, stage: Stage, audit: AuditEvent, finish?: DeploymentFinish): Promise<void> {
    const stageUpdate = this.stageWrite(release.id, stage, audit.at);
    const environment = environmentUpdate(this.tableName, release.app, stage.environment, { ...environmentChangesFor(release, stage, audit.at), ...(finish ? { finish } : {}) });
    const writes = [stageUpdate, ...(environment ? [environment] : []), ...(finish ? deploymentWrites(this.tableName, finish) : [])];
    await conditionally(() => this.audited.write(writes, audit), `${release.app}/${stage.environment} changed while this deployment was recorded; the step is retried`);
  }

  addStage(releaseId: string, stage: Stage, audit: AuditEvent): Promise<boolean> {
    const add = {
      Update: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        UpdateExpression: 'SET stages.#env = :stage, updatedAt = :at',
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(stages.#env) AND NOT #status IN (${Object.keys(terminalStatusValues).join(', ')})`,
        ExpressionAttributeNames: { '#env': stage.environment, '#status': 'status' },
        ExpressionAttributeValues: { ':stage': stage, ':at': audit.at, ...terminalStatusValues },
      },
    };
    return writeIf(() => this.audited.write([add], audit));
  }

  async finish(releaseId: string, outcome: ReleaseFinish, audit: AuditEvent): Promise<boolean> {
    for (let attempt = 1; attempt <= FINISH_ATTEMPTS; attempt++) {
      const view = await this.view(releaseId);
      if (!view || isTerminal(view.release.status)) return false;
      const pending = view.approvals.filter((request) => request.status === 'pending');
      const reason = outcome.reason ?? `the release ended ${outcome.status}`;
      const closes = pending.map((request) => closeRequestWrite(this.tableName, request, requestStatusFor(outcome.status), reason, outcome.at));
      const closeAudits = pending.map((request) => ({
        ...audit,
        id: `${audit.id}.${request.environment}`,
        action: 'approval.decided' as const,
        subject: `release/${releaseId}/approval/${request.environment}`,
        detail: { status: requestStatusFor(outcome.status), reason },
      }));
      const forget = outcome.forgetIdempotency
        ? [{ Delete: { TableName: this.tableName, Key: keys.idempotency(outcome.forgetIdempotency.identity, outcome.forgetIdempotency.key) } }]
        : [];
      try {
        await this.audited.write([this.finishWrite(releaseId, outcome), ...closes, ...forget], [audit, ...closeAudits]);
        return true;
      } catch (error) {
        // A vote or a close moved a request (or the release ended) meanwhile: read again.
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new ConflictError(`release ${releaseId} kept changing while it was being finished; the step is retried`);
  }

  async recordRollbackFailure(release: Release, stage: Stage, failedDeploymentId: string, audit: AuditEvent): Promise<void> {
    const writes = [
      this.stageWrite(release.id, stage, audit.at),
      environmentUpdate(this.tableName, release.app, stage.environment, environmentChangesFor(release, stage, audit.at))!,
      markDeployment(this.tableName, release.app, stage.environment, failedDeploymentId, 'rollback_failed'),
    ];
    await conditionally(() => this.audited.write(writes, audit), `${release.app}/${stage.environment} changed while the failed rollback was recorded; the step is retried`);
  }

  async listInFlight(): Promise<Release[]> {
    const items = await querySweep(this.db, this.tableName, sweeps.inFlight.gsi2pk);
    return items.map((item) => readRelease(item));
  }

  private stageWrite(releaseId: string, stage: Stage, at: string) {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        UpdateExpression: 'SET stages.#env = :stage, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#env': stage.environment },
        ExpressionAttributeValues: { ':stage': stage, ':at': at },
      },
    };
  }

  private finishWrite(releaseId: string, outcome: ReleaseFinish) {
    const stages = outcome.stages ?? [];
    const set = ['#status = :status', 'finishedAt = :at', 'updatedAt = :at', ...(outcome.reason ? ['reason = :reason'] : []), ...stages.map((_, i) => `stages.#s${i} = :s${i}`)];
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        UpdateExpression: `SET ${set.join(', ')} REMOVE gsi2pk, gsi2sk`,
        // A release ends once: a retried step must not rewrite history.
        ConditionExpression: `attribute_exists(pk) AND NOT #status IN (${Object.keys(terminalStatusValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(stages.map((stage, i) => [`#s${i}`, stage.environment])) },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':at': outcome.at,
          ...(outcome.reason ? { ':reason': outcome.reason } : {}),
          ...Object.fromEntries(stages.map((stage, i) => [`:s${i}`, stage])),
          ...terminalStatusValues,
        },
      },
    };
  }
}

/**
 * What a stage change means for its environment: a deploy in progress is
 * marked (drift checks leave it alone), a success becomes what the environment
 * runs and clears drift and the attention flag, a failed rollback raises it.
 * A failed rollout keeps the mark: its rollback follows.
 */
function environmentChangesFor(release: Release, stage: Stage, at: string): EnvironmentChanges {
  switch (stage.status) {
    case 'running':
      return { set: { deploying: { releaseId: release.id, since: stage.deployStartedAt ?? stage.startedAt } } };
    case 'succeeded':
      return {
        set: { current: { image: stage.image, releaseId: release.id, deployedAt: stage.finishedAt ?? at, ...(stage.configHash ? { configHash: stage.configHash } : {}) } },
        remove: ['deploying', 'drift', 'attention'],
      };
    case 'rolled_back':
      return { remove: ['deploying'] };
    case 'rollback_failed':
      return { set: { attention: { since: at, releaseId: release.id, reason: stage.detail ?? 'the rollback failed' } }, remove: ['deploying'] };
    case 'failed':
    case 'queued':
    case 'waiting_for_approval':
    case 'rejected':
    case 'expired':
    case 'cancelled':
    case 'superseded':
      return {};
  }
}

/** A request still open when its release ends is closed with the matching status. */
function requestStatusFor(status: ReleaseStatus): ClosedWithoutDecision {
  return status === 'expired' || status === 'superseded' ? status : 'cancelled';
}

/**
 * A stored release as the domain sees it: its status derived from its stages
 * while in flight. Releases stored before pipelines (staging then production,
 * one execution) read as that two-environment chain.
 */
function readRelease(item: Record<string, unknown>): Release {
  const legacy = item.pipeline === undefined && typeof item.stagingEnvironment === 'string' && typeof item.productionEnvironment === 'string';
  const release = readItem('release', legacy ? fromTwoEnvironmentItem(item) : item);
  return { ...release, status: releaseStatus(release) };
}

function fromTwoEnvironmentItem(item: Record<string, unknown>): Record<string, unknown> {
  const { stagingEnvironment: staging, productionEnvironment: production, executionName, executionArn, stages, ...rest } = item;
  const pipeline = staging === production ? [{ name: staging, after: [] }] : [{ name: staging, after: [] }, { name: production, after: [staging] }];
  const upgraded = Object.fromEntries(
    Object.entries((stages ?? {}) as Record<string, Record<string, unknown>>).map(([env, stage]) => [env, { executionName, executionArn, deployStartedAt: stage.startedAt, ...stage }]),
  );
  return { ...rest, pipeline, stages: upgraded };
}
