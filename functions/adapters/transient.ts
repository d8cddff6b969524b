import { NETWORK_CODES } from './network-codes';

/** Error names the AWS SDK and Node give to faults that may pass on their own. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * True for network failures, timeouts, throttling and 5xx answers: worth
 * retrying later, and never a reason to refuse the caller's request.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, $metadata } = error as { code?: string; $metadata?: { httpStatusCode?: number } };
  if (TRANSIENT_NAMES.has(error.name) || (code !== undefined && Object.hasOwn(NETWORK_CODES, code))) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return error.cause !== undefined && error.cause !== error && isTransientAwsError(error.cause);
}
