import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ChainedAuditEvent } from '../../domain/audit-chain';
import { readItem } from './item-schemas';

/*
 * The DynamoDB Streams event Lambda's event source mapping passes (the fields
 * Gatekeeper reads; the local stream poller builds the same shape), and the
 * partial-batch answer (ReportBatchItemFailures): the mapping retries from the
 * first failed record, so nothing after a failure is lost or skipped.
 */
export interface StreamRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSource?: string;
  dynamodb?: {
    Keys?: Record<string, AttributeValue>;
    NewImage?: Record<string, AttributeValue>;
    SequenceNumber?: string;
    ApproximateCreationDateTime?: number;
    StreamViewType?: string;
  };
}

export interface StreamEvent {
  Records: StreamRecord[];
}

export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** The audit event a new item holds, or undefined for any other change (other items, updates, deletions). */
export function insertedAuditEvent(record: StreamRecord): ChainedAuditEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.kind?.S !== 'audit') return undefined;
  return readItem('auditEvent', unmarshall(image));
}
