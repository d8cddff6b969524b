import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every page of a Query. For small partitions (pending requests, tokens); history pages by cursor instead. */
export async function queryAll(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Every item of one gsi2 sweep partition (in-flight releases, environments): the reconciler's reads. */
export function querySweep(db: DynamoDBDocumentClient, tableName: string, partition: string): Promise<Record<string, unknown>[]> {
  return queryAll(db, { TableName: tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :sweep', ExpressionAttributeValues: { ':sweep': partition } });
}
