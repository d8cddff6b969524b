import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../../config';
import { StoreUnavailableError } from '../../domain/errors';
import { isTransientAwsError } from '../transient';

/** A hung store must not hang a request or a step: give up on a call, let the SDK retry, then report. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * `requestTimeoutMs` is for tools that page through a whole table (the bench's
 * scan baseline); the functions always use the default.
 */
export function createDocumentClient(aws: AwsConfig, options: { requestTimeoutMs?: number } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: aws.AWS_REGION,
    ...(aws.DYNAMODB_ENDPOINT ? { endpoint: aws.DYNAMODB_ENDPOINT } : {}),
    // Without throwOnRequestTimeout the SDK only warns and keeps waiting.
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  // Outermost step: sees the error after the SDK's own retries, and names it so the
  // state machine retries it (Retry on StoreUnavailable) and the API answers 503.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isTransientAwsError(error)) throw new StoreUnavailableError(`DynamoDB did not answer (${describe(error)}); try again shortly`, { cause: error });
        throw error;
      }
    },
    { step: 'initialize', name: 'gatekeeperStoreUnavailable' },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return [error.name, code].filter(Boolean).join(' ');
}
