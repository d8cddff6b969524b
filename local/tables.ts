import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTableCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { globalSecondaryIndex, INDEX_NAMES, STREAM_SPECIFICATION, tableDefinition } from '../functions/adapters/dynamodb/table-schema';

/**
 * Creates the Gatekeeper table if it does not exist yet, adds indexes a newer
 * version defines to a table an older `npm start` created, and enables TTL on
 * `ttl` as CDK does (expired idempotency keys disappear locally too), and its
 * stream (new images) to a table created before it had one.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  try {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(client, tableName);
      await enableStream(client, tableName);
    }
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } })).catch((error: Error) => {
      // Already enabled: DynamoDB refuses to enable it twice.
      if (!/already enabled/i.test(error.message)) throw error;
    });
  } finally {
    client.destroy();
  }
}

async function enableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM_SPECIFICATION }));
}

async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const definition = tableDefinition(tableName);
  for (const name of INDEX_NAMES.filter((index) => !present.has(index))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: definition.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: globalSecondaryIndex(name) }],
      }),
    );
  }
}
