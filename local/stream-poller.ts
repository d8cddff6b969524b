import { DescribeTableCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamBatchResponse, StreamEvent, StreamRecord } from '../functions/adapters/dynamodb/stream-records';

export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  /** The same handler Lambda's event source mapping invokes in AWS. */
  handler: (event: StreamEvent) => Promise<StreamBatchResponse | void>;
  /** Where to begin in the shards open at start: LATEST (as a new event source mapping; the default) or TRIM_HORIZON (everything the stream holds). Shards that open later are read from their start. */
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Pause between polls when nothing came (Lambda polls each shard about four times a second). */
  pollMs?: number;
  /** Records per invocation (the mapping's batch size). */
  batchSize?: number;
  log?: (line: string) => void;
}

export interface StreamPoller {
  close(): Promise<void>;
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last record handled, to resume after an expired iterator. */
  lastSequence?: string;
  /** The shard closed and every record of it was handled. */
  done: boolean;
}

/** Look for new shards (DynamoDB rolls them over) this often, and whenever one closes. */
const DISCOVER_EVERY_MS = 5_000;

/**
 * Plays Lambda's DynamoDB Streams event source mapping against DynamoDB Local:
 * reads each shard in order (a child only after its parent is finished),
 * passes batches to the handler in Lambda's event shape and, like the
 * mapping with ReportBatchItemFailures, resumes from the first record the
 * handler reports failed (or from the batch's first record when it throws).
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const log = options.log ?? (() => undefined);
  const pollMs = options.pollMs ?? 250;
  const table = new DynamoDBClient({ endpoint: options.endpoint, region: 'us-east-1' });
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'us-east-1' });
  const { Table } = await table.send(new DescribeTableCommand({ TableName: options.tableName }));
  table.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream (ensureTable enables it)`);

  const shards = new Map<string, ShardState>();
  const iteratorFor = async (shardId: string, type: ShardIteratorType, sequence?: string) =>
    (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, ...(sequence ? { SequenceNumber: sequence } : {}) }))).ShardIterator;

  const listShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(ExclusiveStartShardId ? { ExclusiveStartShardId } : {}) }));
      all.push(...(StreamDescription?.Shards ?? []));
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
    return all;
  };

  /** At start: open shards at the starting position (closed ones too with TRIM_HORIZON); later: every new shard from its start. */
  const discover = async (atStart: boolean) => {
    for (const shard of await listShards()) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const closed = Boolean(shard.SequenceNumberRange?.EndingSequenceNumber);
      const latest = atStart && (options.startingPosition ?? 'LATEST') === 'LATEST';
      if (latest && closed) continue;
      shards.set(shard.ShardId, {
        id: shard.ShardId,
        ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
        iterator: await iteratorFor(shard.ShardId, latest ? 'LATEST' : 'TRIM_HORIZON'),
        done: false,
      });
    }
  };

  /** One GetRecords on a shard and the handler on what came; true when records came (poll again at once). */
  const pollShard = async (shard: ShardState): Promise<boolean> => {
    if (!shard.iterator) {
      shard.iterator = await iteratorFor(shard.id, shard.lastSequence ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON', shard.lastSequence);
    }
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: options.batchSize ?? 100 }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)) throw error;
      shard.iterator = undefined;
      return true;
    }
    const records = (page.Records ?? []).map(toLambdaRecord);
    if (records.length) {
      const failedAt = await invoke(records);
      if (failedAt) {
        // As the mapping does: the batch comes again from the first failed record.
        shard.iterator = await iteratorFor(shard.id, 'AT_SEQUENCE_NUMBER', failedAt);
        return false;
      }
      shard.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequence;
    }
    shard.iterator = page.NextShardIterator;
    if (!shard.iterator) shard.done = true;
    return records.length > 0;
  };

  /** The handler's first failed sequence number, if any. */
  const invoke = async (records: StreamRecord[]): Promise<string | undefined> => {
    try {
      const response = await options.handler({ Records: records });
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      return records.find((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''))?.dynamodb?.SequenceNumber;
    } catch (error) {
      log(`[streams] handler failed, the batch comes again: ${(error as Error).message}`);
      return records[0]?.dynamodb?.SequenceNumber;
    }
  };

  await discover(true);
  let stopped = false;
  let lastDiscovery = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = async () => {
    let busy = false;
    try {
      if (Date.now() - lastDiscovery > DISCOVER_EVERY_MS) {
        lastDiscovery = Date.now();
        await discover(false);
      }
      for (const shard of shards.values()) {
        if (stopped) return;
        const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
        if (shard.done || (parent && !parent.done)) continue;
        busy = (await pollShard(shard)) || busy;
        // A shard closed: its children may exist already.
        if (shard.done) lastDiscovery = 0;
      }
    } catch (error) {
      log(`[streams] poll failed, trying again: ${(error as Error).message}`);
    }
    if (!stopped) timer = setTimeout(() => (current = tick()), busy ? 0 : pollMs);
  };
  current = tick();

  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await current;
      streams.destroy();
    },
  };
}

/** The SDK's record as Lambda delivers it: the same fields, the creation time in epoch seconds. */
function toLambdaRecord(record: _Record): StreamRecord {
  const data = record.dynamodb;
  return {
    ...(record.eventID ? { eventID: record.eventID } : {}),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    eventSource: 'aws:dynamodb',
    dynamodb: {
      ...(data?.Keys ? { Keys: data.Keys as Record<string, AttributeValue> } : {}),
      ...(data?.NewImage ? { NewImage: data.NewImage as Record<string, AttributeValue> } : {}),
      ...(data?.SequenceNumber ? { SequenceNumber: data.SequenceNumber } : {}),
      ...(data?.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(data.ApproximateCreationDateTime.getTime() / 1000) } : {}),
      ...(data?.StreamViewType ? { StreamViewType: data.StreamViewType } : {}),
    },
  };
}
