import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChainedAuditEvent, ChainHead } from '../../domain/audit-chain';
import type { AuditQuery, AuditReader } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { decodeCursor, encodeCursor } from './cursor';
import { partitions, withoutKeys } from './keys';
import { queryAll } from './query-all';

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
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: values,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(query.from || query.to ? { ExpressionAttributeNames: { '#at': 'at' } } : {}),
        Limit: query.limit,
        ...(query.cursor ? { ExclusiveStartKey: decodeCursor(query.cursor, partitions.audit(app), 'audit trail') } : {}),
      }),
    );
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { events: (result.Items ?? []).map((item) => withoutKeys<ChainedAuditEvent>(item)), ...(cursor ? { cursor } : {}) };
  }

  async all(app: string): Promise<ChainedAuditEvent[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
      ExpressionAttributeValues: { ':pk': partitions.audit(app), ':seq': 'SEQ#' },
    });
    return items.map((item) => withoutKeys<ChainedAuditEvent>(item));
  }
}
