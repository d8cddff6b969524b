import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { ChainedAuditEvent, ChainHead } from '../../domain/audit-chain';
import type { AuditCheckpoint } from '../../domain/audit-checkpoint';
import type { AuditQuery, AuditReader } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { writeIf } from './conditional';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, partitions } from './keys';
import { readItem } from './item-schemas';

/** Events examined per read when a filter may skip most of them. */
const FILTERED_READ = 200;

/** Reads an app's audit chain in sequence order (one partition; never a scan). */
export class DynamoAuditReader implements AuditReader {
  private readonly writer: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new AuditedWriter(db, tableName);
  }

  head(app: string): Promise<ChainHead> {
    return this.writer.head(app);
  }

  async page(app: string, query: AuditQuery): Promise<{ events: ChainedAuditEvent[]; cursor?: string }> {
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': partitions.audit(app), ':seq': 'SEQ#' };
    const where = (expression: string, bound: Record<string, unknown>) => {
      filters.push(expression);
      Object.assign(values, bound);
    };
    if (query.actor) where('actor = :actor', { ':actor': query.actor });
    if (query.from) where('#at >= :from', { ':from': query.from });
    if (query.to) where('#at < :to', { ':to': query.to });
    // Events name their environment in the subject (…/approval/prod) or the detail.
    if (query.environment) where('(contains(subject, :envPath) OR detail.environment = :env)', { ':envPath': `/${query.environment}`, ':env': query.environment });
    // DynamoDB applies Limit before the filter: read on until the page is full, then
    // resume the next page right after the last event returned (filter first, then page).
    const events: Array<Record<string, unknown>> = [];
    let startKey = query.cursor ? decodeCursor(query.cursor, partitions.audit(app), 'audit trail') : undefined;
    let more = true;
    while (events.length < query.limit && more) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
          ExpressionAttributeValues: values,
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(query.from || query.to ? { ExpressionAttributeNames: { '#at': 'at' } } : {}),
          Limit: filters.length ? Math.max(FILTERED_READ, query.limit) : query.limit - events.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      events.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
      more = startKey !== undefined;
    }
    const page = events.slice(0, query.limit);
    const last = page.at(-1);
    const full = events.length > query.limit || (page.length === query.limit && more);
    const cursor = full && last ? encodeCursor({ pk: last.pk, sk: last.sk }) : undefined;
    return { events: page.map((item) => readItem('auditEvent', item)), ...(cursor ? { cursor } : {}) };
  }

  async all(app: string): Promise<ChainedAuditEvent[]> {
    return this.since(app, 0);
  }

  async since(app: string, afterSeq: number, upToSeq?: number): Promise<ChainedAuditEvent[]> {
    const events: ChainedAuditEvent[] = [];
    for await (const page of this.pages(app, afterSeq, upToSeq)) events.push(...page);
    return events;
  }

  /** The chain after `afterSeq` (up to `upToSeq`) in sequence order, one Query page (≤ 1 MB) at a time, for passes too long to hold at once. */
  async *pages(app: string, afterSeq: number, upToSeq?: number): AsyncGenerator<ChainedAuditEvent[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partitions.audit(app), ':from': keys.auditEvent(app, afterSeq + 1).sk, ':to': upToSeq === undefined ? 'SEQ#~' : keys.auditEvent(app, upToSeq).sk },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      yield (result.Items ?? []).map((item) => readItem('auditEvent', item));
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async checkpoint(app: string): Promise<AuditCheckpoint | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.auditCheckpoint(app), ConsistentRead: true }));
    if (!result.Item) return undefined;
    const { app: owner, seq, hash, at, keyId, mac } = result.Item;
    return { app: String(owner), seq: Number(seq), hash: String(hash), at: String(at), keyId: String(keyId), mac: String(mac) };
  }

  /** Replaces the checkpoint with a later one only (never moves it back), audited in the app's chain like any change. */
  saveCheckpoint(checkpoint: AuditCheckpoint, audit: AuditEvent): Promise<boolean> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.auditCheckpoint(checkpoint.app), kind: 'audit-checkpoint', ...checkpoint },
        ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
        ExpressionAttributeValues: { ':seq': checkpoint.seq },
      },
    };
    return writeIf(() => this.writer.write([put], audit));
  }
}
