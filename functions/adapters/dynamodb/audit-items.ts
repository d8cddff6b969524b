import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import { chainEvents, EMPTY_CHAIN, type ChainedAuditEvent, type ChainHead } from '../../domain/audit-chain';
import { BusyError } from '../../domain/errors';
import type { AuditLog } from '../../domain/ports';
import { rememberedHead, rememberHead, withChainLocks } from './chain-lock';
import { keys } from './keys';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Appends to one app's chain serialize; a burst (100 releases at once) queues
 * dozens of writers. They back off with full jitter, growing to a cap, until a
 * deadline well inside the API's 29 s; past it the caller is told we are busy
 * (503 Retry-After), never that its request conflicts.
 */
const DEADLINE_MS = 10_000;
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/**
 * Writes a state change together with the audit events that record it, in one
 * transaction, appending them to the app's hash chain (B3): each event takes
 * the next sequence number, conditionally, and links to the previous event's
 * hash; the app's chain head moves conditionally too. If another writer moved
 * the head first, only the chain part failed: the head is re-read and the
 * transaction retried. A failed condition of the state change itself is the
 * caller's (it propagates as the TransactionCanceledException).
 */
/** The later of two heads a writer may know. */
const newest = (a: ChainHead | undefined, b: ChainHead | undefined): ChainHead | undefined => (!a ? b : !b ? a : a.seq >= b.seq ? a : b);

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
    const deadline = Date.now() + DEADLINE_MS;
    const lockKey = (app: string) => `${this.tableName}#${app}`;
    return withChainLocks(apps.map(lockKey), async () => {
      for (let attempt = 1; Date.now() < deadline; attempt++) {
        const chainItems: TransactItem[] = [];
        const moved = new Map<string, ChainHead>();
        for (const app of apps) {
          const head = attempt === 1 ? newest(knownHeads?.get(app), rememberedHead(lockKey(app))) ?? (await this.head(app)) : await this.head(app);
          const chained = chainEvents(head, events.filter((e) => e.app === app));
          chainItems.push(...chained.events.map((event) => this.eventPut(event)), this.headMove(app, head, chained.head));
          moved.set(app, chained.head);
        }
        try {
          await this.db.send(new TransactWriteCommand({ TransactItems: [...writes, ...chainItems] }));
          for (const [app, head] of moved) rememberHead(lockKey(app), head);
          return;
        } catch (error) {
          for (const app of apps) rememberHead(lockKey(app), undefined);
          if (!chainMovedOnly(error, writes.length)) throw error;
          // Another process appended first. Full jitter, capped: contenders spread out instead of colliding again in lockstep.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)));
        }
      }
      throw new BusyError(`the audit trail of ${apps.join(', ')} is busy with other changes; nothing was written, try again shortly`);
    });
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
