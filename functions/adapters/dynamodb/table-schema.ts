import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * gsi1: review queue and pending approvals. gsi2: in-flight work the reconciler
 * sweeps (releases not yet terminal, every environment for drift checks), so it
 * reads by Query, never a Scan.
 */
export const INDEX_NAMES = ['gsi1', 'gsi2'] as const;

export function globalSecondaryIndex(name: (typeof INDEX_NAMES)[number]) {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
      { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

/**
 * New images only: the events handler reads what was written (new audit
 * events), never what an item was before.
 */
export const STREAM_SPECIFICATION = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const };

/** The table as CDK defines it (cdk/), for the local stack and the tests. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEX_NAMES.map(globalSecondaryIndex),
    StreamSpecification: STREAM_SPECIFICATION,
  };
}
