import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../../config';

export function createDocumentClient(aws: AwsConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: aws.AWS_REGION,
    ...(aws.DYNAMODB_ENDPOINT ? { endpoint: aws.DYNAMODB_ENDPOINT } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
