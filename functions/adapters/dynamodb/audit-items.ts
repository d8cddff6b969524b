import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import { chainEvents, EMPTY_CHAIN, type ChainedAuditEvent, type ChainHead } from '../../domain/audit-chain';
import { ConflictError } from '../../domain/errors';
import type { AuditLog } from '../../domain/ports';
import { keys } from './keys';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Appends to one app's chain serialize; a burst of refused votes can queue dozens of writers. */
const MAX_ATTEMPTS = 30;

/**
 * Writes a state change together with the audit events that record it, in one
 * transaction, appending them to the app's hash chain (B3): each event takes
 * the next sequence number, conditionally, and links to the previous event's
 * hash; the app's chain head moves conditionally too. If another writer moved
 * the head first, only the chain part failed: the head is re-read and the
 * transaction retried. A failed condition of the state change itself is the
 * caller's (it propagates as the TransactionCanceledException).
 */
export class AuditedWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(app: string): Promise<ChainHead> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.auditHead(app), ConsistentRead: true }));
    return result.Item ? { seq: result.Item.seq as number, hash: result.Item.hash as string } : EMPTY_CHAIN;
  }

  /** `knownHeads` (read together with the state, e.g. for a vote) saves the head read on the first attempt. */
  async write(writes: TransactItem[], audit: AuditEvent | AuditEvent[], knownHeads?: Map<string, ChainHead>): Promise<void> {
    const events = Array.isArray(audit) ? audit : [audit];
    const apps = [...new Set(events.map((e) => e.app))];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const chainItems: TransactItem[] = [];
      for (const app of apps) {
        const head = (attempt === 1 ? knownHeads?.get(app) : undefined) ?? (await this.head(app));
        const chained = chainEvents(head, events.filter((e) => e.app === app));
        chainItems.push(...chained.events.map((event) => this.eventPut(event)), this.headMove(app, head, chained.head));
      }
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: [...writes, ...chainItems] }));
        return;
      } catch (error) {
        if (!chainMovedOnly(error, writes.length)) throw error;
        // Full jitter, capped: contenders spread out instead of colliding again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
      }
    }
    throw new ConflictError('the audit trail is busy with other changes to this app; try again');
  }

  private eventPut(event: ChainedAuditEvent): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.auditEvent(event.app, event.seq), kind: 'audit', ...event },
        // No two events may claim the same place in the chain.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private headMove(app: string, from: ChainHead, to: ChainHead): TransactItem {
    if (from.seq === 0) {
      return { Put: { TableName: this.tableName, Item: { ...keys.auditHead(app), kind: 'audit-head', ...to }, ConditionExpression: 'attribute_not_exists(pk)' } };
    }
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.auditHead(app),
        UpdateExpression: 'SET seq = :seq, #hash = :hash',
        ConditionExpression: 'seq = :from',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':seq': to.seq, ':hash': to.hash, ':from': from.seq },
      },
    };
  }
}

/** True when only the chain's conditions (after the first `stateWrites` items) failed: someone appended first. */
function chainMovedOnly(error: unknown, stateWrites: number): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const failed = (error.CancellationReasons ?? []).map((r, i) => (r.Code === 'ConditionalCheckFailed' ? i : -1)).filter((i) => i >= 0);
  return failed.length > 0 && failed.every((i) => i >= stateWrites);
}

/** Standalone audit events (refusals that change nothing else), chained like all others. */
export class DynamoAuditLog implements AuditLog {
  constructor(private readonly writer: AuditedWriter) {}

  async record(event: AuditEvent): Promise<void> {
    await this.writer.write([], event);
  }
}
