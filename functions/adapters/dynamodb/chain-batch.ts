import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { ChainHead } from '../../domain/audit-chain';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Group commit for one app's audit chain. Appends that queue in one process
 * while a transaction on the chain is in flight are committed together by the
 * next writer to get the chain: one TransactWriteItems, one head move, each
 * append's state writes and events in arrival order. A burst then costs a few
 * round trips instead of one each, and the head stays in every transaction.
 */

/** DynamoDB's limits on one TransactWriteItems are 100 actions and 4 MB; the size estimate keeps headroom. */
const MAX_ACTIONS = 100;
const MAX_BYTES = 3_000_000;

/** One caller's state change and the audit events recording it, waiting to be committed. */
export interface Append {
  writes: TransactItem[];
  events: AuditEvent[];
  /** Heads read together with the state (a vote's), which save the first head read. */
  knownHeads: Map<string, ChainHead> | undefined;
  deadline: number;
  /** The table items its writes touch: a transaction may touch an item only once. */
  items: string[];
  bytes: number;
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

export function newAppend(writes: TransactItem[], events: AuditEvent[], knownHeads: Map<string, ChainHead> | undefined, deadline: number): { append: Append; done: Promise<void> } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  const append: Append = {
    writes,
    events,
    knownHeads,
    deadline,
    items: writes.map(itemOf),
    bytes: JSON.stringify(writes).length + JSON.stringify(events).length,
    settled: false,
    resolve: () => ((append.settled = true), resolve()),
    reject: (error) => ((append.settled = true), reject(error)),
  };
  // Settled possibly before its caller awaits it (by another writer's batch): the caller still gets the rejection.
  done.catch(() => undefined);
  return { append, done };
}

function itemOf(write: TransactItem): string {
  const operation = write.Put ?? write.Update ?? write.Delete ?? write.ConditionCheck;
  const key = (write.Put ? write.Put.Item : (operation as { Key?: Record<string, unknown> } | undefined)?.Key) ?? {};
  return JSON.stringify([operation?.TableName, key.pk, key.sk]);
}

/** Appends waiting for each chain (by lock key), in arrival order. */
const queues = new Map<string, Append[]>();

export function enqueue(key: string, append: Append): void {
  const queue = queues.get(key);
  if (queue) queue.push(append);
  else queues.set(key, [append]);
}

/**
 * Takes from the front of the queue what fits in one transaction with the
 * head move. An append touching an item already taken waits for the next
 * transaction; one too large on its own goes alone (and DynamoDB says why).
 */
export function takeBatch(key: string): Append[] {
  const queue = queues.get(key) ?? [];
  const batch: Append[] = [];
  const touched = new Set<string>();
  let actions = 1;
  let bytes = 0;
  for (const append of queue) {
    const size = append.writes.length + append.events.length;
    if (batch.length > 0 && (actions + size > MAX_ACTIONS || bytes + append.bytes > MAX_BYTES)) break;
    if (append.items.some((item) => touched.has(item))) continue;
    batch.push(append);
    append.items.forEach((item) => touched.add(item));
    actions += size;
    bytes += append.bytes;
  }
  const rest = queue.filter((append) => !batch.includes(append));
  if (rest.length > 0) queues.set(key, rest);
  else queues.delete(key);
  return batch;
}

/** Where an append's items sit in the transaction: its state writes from `start`, then its events. The head moves last. */
export interface Placed {
  append: Append;
  start: number;
}

export interface Outcome {
  /** Appends whose own conditions failed: theirs to handle, with the reasons for their items only. */
  refused: Array<{ append: Append; error: TransactionCanceledException }>;
  /** Another writer appended first (an event's place taken, the head moved or in another transaction). */
  chainMoved: boolean;
  /** A state item failed for another reason (in another transaction, say): commit each append alone. */
  unexplained: boolean;
}

const CONTENDED = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/** Reads a cancelled transaction: whose state conditions failed and whether the chain moved; undefined for any other error. */
export function readCancellation(error: unknown, placed: Placed[], headsFrom: number): Outcome | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const refused: Outcome['refused'] = [];
  let chainMoved = false;
  let unexplained = false;
  for (const { append, start } of placed) {
    const own = reasons.slice(start, start + append.writes.length);
    if (own.some((r) => r.Code === 'ConditionalCheckFailed')) {
      const mine = [...own, ...reasons.slice(start + append.writes.length, start + append.writes.length + append.events.length), ...reasons.slice(headsFrom)];
      refused.push({ append, error: new TransactionCanceledException({ message: error.message, $metadata: error.$metadata, CancellationReasons: mine }) });
    } else if (own.some((r) => r.Code && r.Code !== 'None')) unexplained = true;
    const chain = reasons.slice(start + append.writes.length, start + append.writes.length + append.events.length);
    if (chain.some((r) => CONTENDED.has(r.Code ?? ''))) chainMoved = true;
  }
  if (reasons.slice(headsFrom).some((r) => CONTENDED.has(r.Code ?? ''))) chainMoved = true;
  return { refused, chainMoved, unexplained };
}
