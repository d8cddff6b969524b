import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import { chainEvents, EMPTY_CHAIN, type ChainedAuditEvent, type ChainHead } from '../../domain/audit-chain';
import { BusyError } from '../../domain/errors';
import type { AuditLog } from '../../domain/ports';
import { enqueue, newAppend, readCancellation, takeBatch, type Append, type Placed, type TransactItem } from './chain-batch';
import { rememberedHead, rememberHead, withChainLocks } from './chain-lock';
import { keys } from './keys';

export type { TransactItem } from './chain-batch';

/**
 * Writers in other processes (other Lambda containers) meet on the head's
 * condition: they back off with full jitter, growing to a cap, until a
 * deadline well inside the API's 29 s; past it the caller is told we are busy
 * (503 Retry-After), never that its request conflicts.
 */
const DEADLINE_MS = 10_000;
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/** The later of two heads a writer may know. */
const newest = (a: ChainHead | undefined, b: ChainHead | undefined): ChainHead | undefined => (!a ? b : !b ? a : a.seq >= b.seq ? a : b);

/**
 * Writes a state change together with the audit events that record it, in one
 * transaction, appending them to the app's hash chain (B3): each event takes
 * the next sequence number, conditionally, and links to the previous event's
 * hash; the app's chain head moves conditionally too. Appends to one app made
 * at once in this process are committed together (see chain-batch.ts). If
 * another writer moved the head first, only the chain part failed: the head is
 * re-read and the chain part rebuilt. A failed condition of a state change
 * itself is its caller's (it propagates as a TransactionCanceledException).
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
    const { append, done } = newAppend(writes, events, knownHeads, Date.now() + DEADLINE_MS);
    const [app] = apps;
    if (app === undefined || apps.length > 1) {
      // Rare: events of several apps commit alone, holding every chain they extend.
      await withChainLocks(apps.map((a) => this.lockKey(a)), () => this.commit(apps, [append]));
      return done;
    }
    const key = this.lockKey(app);
    enqueue(key, append);
    await withChainLocks([key], async () => {
      // An earlier writer may have committed this append in its batch; otherwise commit what waits, this one first.
      while (!append.settled) {
        const batch = takeBatch(key);
        // A failure before any answer (the head could not be read) is every taken append's, or its writer would wait forever.
        await this.commit(apps, batch).catch((error: unknown) => batch.forEach((a) => a.reject(error)));
      }
    });
    return done;
  }

  private lockKey(app: string): string {
    return `${this.tableName}#${app}`;
  }

  /** Commits the appends in one transaction, retrying the chain part until each has its answer. */
  private async commit(apps: string[], appends: Append[]): Promise<void> {
    let batch = appends;
    // The heads to build on: what this process knows first, the same again after a refusal, a fresh read once the chain moved.
    let from: Map<string, ChainHead> | 'known' | 'read' = 'known';
    for (let attempt = 1; ; attempt++) {
      const now = Date.now();
      for (const late of batch.filter((a) => a.deadline <= now)) late.reject(new BusyError(`the audit trail of ${apps.join(', ')} is busy with other changes; nothing was written, try again shortly`));
      batch = batch.filter((a) => !a.settled);
      if (batch.length === 0) return;
      const starts: Map<string, ChainHead> = from instanceof Map ? from : await this.heads(apps, batch, from === 'read');
      const { items, placed, heads } = this.transaction(apps, batch, starts);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        heads.forEach((head, app) => rememberHead(this.lockKey(app), head));
        batch.forEach((a) => a.resolve());
        return;
      } catch (error) {
        apps.forEach((app) => rememberHead(this.lockKey(app), undefined));
        const outcome = readCancellation(error, placed, items.length - heads.size);
        // One change's malformed or oversized write must not fail the others; an unavailable store fails them all at once.
        if (!outcome) return (error as Error).name === 'ValidationException' ? this.oneByOne(apps, batch, error) : batch.forEach((a) => a.reject(error));
        if (outcome.unexplained && batch.length > 1) return this.oneByOne(apps, batch, error);
        for (const { append, error: own } of outcome.refused) append.reject(own);
        if (outcome.chainMoved) {
          from = 'read';
          // Another process appended first. Full jitter, capped: contenders spread out instead of colliding again in lockstep.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)));
        } else if (outcome.refused.length > 0) from = starts; // the rest build on the same heads, which did not move
        else return batch.forEach((a) => a.reject(error));
      }
    }
  }

  /** A batch failed for a reason that is not any one append's condition: each commits alone and gets its own answer. */
  private async oneByOne(apps: string[], batch: Append[], error: unknown): Promise<void> {
    if (batch.length === 1) return batch[0]!.reject(error);
    for (const append of batch) if (!append.settled) await this.commit(apps, [append]);
  }

  /** Each chain's head: the newest this process knows (written last here, or read with the state), else read. */
  private async heads(apps: string[], batch: Append[], read: boolean): Promise<Map<string, ChainHead>> {
    const heads = new Map<string, ChainHead>();
    for (const app of apps) {
      const known = read ? undefined : batch.map((a) => a.knownHeads?.get(app)).reduce(newest, rememberedHead(this.lockKey(app)));
      heads.set(app, known ?? (await this.head(app)));
    }
    return heads;
  }

  /** The batch as one transaction: each append's state writes then its chained events, and last each chain's head move. */
  private transaction(apps: string[], batch: Append[], starts: Map<string, ChainHead>) {
    const chained = new Map<AuditEvent, ChainedAuditEvent>();
    const heads = new Map<string, ChainHead>();
    const moves: TransactItem[] = [];
    for (const app of apps) {
      const from = starts.get(app) ?? EMPTY_CHAIN;
      const events = batch.flatMap((a) => a.events.filter((e) => e.app === app));
      const linked = chainEvents(from, events);
      events.forEach((event, i) => chained.set(event, linked.events[i]!));
      heads.set(app, linked.head);
      moves.push(this.headMove(app, from, linked.head));
    }
    const items: TransactItem[] = [];
    const placed: Placed[] = [];
    for (const append of batch) {
      placed.push({ append, start: items.length });
      items.push(...append.writes, ...append.events.map((event) => this.eventPut(chained.get(event)!)));
    }
    return { items: [...items, ...moves], placed, heads };
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

/** Standalone audit events (refusals that change nothing else), chained like all others. */
export class DynamoAuditLog implements AuditLog {
  constructor(private readonly writer: AuditedWriter) {}

  async record(event: AuditEvent): Promise<void> {
    await this.writer.write([], event);
  }
}
