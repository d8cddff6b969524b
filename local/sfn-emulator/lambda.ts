import { lambdaFunctionError, TaskError } from './errors';
import { toJsonValue, type JsonValue } from './json';

/** Local Lambda handlers by function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export interface LambdaFunctionRegistry {
  [functionArn: string]: (payload: unknown) => Promise<unknown>;
}

type LambdaHandler = LambdaFunctionRegistry[string];

/**
 * Finds the handler for a FunctionName the way Lambda accepts it: a full ARN (optionally with a
 * version/alias qualifier), a partial ARN `<account>:function:<name>`, or a bare name (`name[:qualifier]`).
 * Qualifiers are ignored: every registered function is `$LATEST`.
 */
export function resolveFunction(functions: LambdaFunctionRegistry, functionName: string): LambdaHandler | undefined {
  const exact = functions[functionName];
  if (exact) return exact;
  const wanted = bareFunctionName(functionName);
  const match = Object.keys(functions).find((arn) => bareFunctionName(arn) === wanted);
  return match === undefined ? undefined : functions[match];
}

function bareFunctionName(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const functionIndex = parts.indexOf('function');
  if (functionIndex >= 0) return parts[functionIndex + 1] ?? '';
  return parts[0] ?? '';
}

/**
 * Invokes a registered function with a JSON copy of the payload and returns its JSON result.
 * A thrown error becomes a task failure named after the error (Lambda's errorType) with Lambda's
 * `{"errorMessage","errorType"}` document as the cause; an unknown function fails with
 * Lambda.ResourceNotFoundException.
 */
export async function invokeFunction(functions: LambdaFunctionRegistry, functionName: string, payload: JsonValue): Promise<JsonValue> {
  const handler = resolveFunction(functions, functionName);
  if (!handler) {
    throw new TaskError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${functionName} (no local handler is registered with the Step Functions emulator)`,
    );
  }
  let result: unknown;
  try {
    result = await handler(toJsonValue(payload));
  } catch (error) {
    throw lambdaFunctionError(error);
  }
  return toJsonValue(result);
}
