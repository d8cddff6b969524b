import { assertArn } from './arns';
import { SfnServiceError } from './errors';

/** Reading the JSON request body of an operation, with the service's validation errors; wire formats. */
export type OperationInput = Record<string, unknown>;

export function validationError(detail: string): SfnServiceError {
  return new SfnServiceError('ValidationException', `1 validation error detected: ${detail}`);
}

export function requiredString(input: OperationInput, key: string): string {
  const value = optionalString(input, key);
  if (value === undefined) throw validationError(`Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function optionalString(input: OperationInput, key: string): string | undefined {
  return optionalOfType(input, key, 'string') as string | undefined;
}

export function optionalNumber(input: OperationInput, key: string): number | undefined {
  return optionalOfType(input, key, 'number') as number | undefined;
}

export function optionalBoolean(input: OperationInput, key: string): boolean | undefined {
  return optionalOfType(input, key, 'boolean') as boolean | undefined;
}

function optionalOfType(input: OperationInput, key: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new SfnServiceError('SerializationException', `Expected ${type} for '${key}'`);
  return value;
}

/** The JSON protocol sends timestamps as epoch seconds (fractional). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function executionArnOf(input: OperationInput): string {
  const arn = requiredString(input, 'executionArn');
  assertArn(arn, 'execution');
  return arn;
}

