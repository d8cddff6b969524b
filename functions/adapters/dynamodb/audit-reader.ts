import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChainedAuditEvent, ChainHead } from '../../domain/audit-chain';
import type { AuditQuery, AuditReader } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { decodeCursor, encodeCursor } from './cursor';
import { partitions} from './keys';
import { queryAll } from './query-all';
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
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
      ExpressionAttributeValues: { ':pk': partitions.audit(app), ':seq': 'SEQ#' },
    });
    return items.map((item) => readItem('auditEvent', item));
  }
}
