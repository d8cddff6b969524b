import { MAX_TIMER_SECONDS, TIMEOUT_PARAMETER, type TaskStateInfo } from './definition';
import { executionClosedError, TaskError } from './errors';
import { isJsonObject, replaceInStrings, type JsonObject, type JsonValue } from './json';
import { invokeFunction, type LambdaFunctionRegistry } from './lambda';
import type { TaskTokenRegistry } from './task-tokens';

/** What the task handlers of one execution need. */
export interface TaskRuntime {
  executionArn: string;
  region: string;
  /** The execution-wide `$$.Task.Token` value; replaced by a fresh token in each callback task's payload. */
  tokenPlaceholder: string;
  /** Aborted when the execution stops running (stopped, timed out, finished, emulator closed). */
  signal: AbortSignal;
  tokens: TaskTokenRegistry;
  functions: LambdaFunctionRegistry;
  record: (type: string, details?: Record<string, unknown>) => void;
  /**
   * A callback task issued its token. Awaited before the function runs: the function hands the token
   * to someone outside (an approver), who may use it after an emulator restart, so it must be on disk.
   */
  onCallbackIssued: (stateName: string, token: string, deadline: number | undefined) => Promise<void>;
  /** The callback task's function returned: the token is out. */
  onCallbackSubmitted: (stateName: string, token: string) => void;
  log: (line: string) => void;
}

const CALLBACK_RESOURCE = { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' };

export type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

/**
 * One aws-local-stepfunctions override per Task state (overrides are keyed by state name). A handler
 * receives the state's effective input after InputPath and Parameters, i.e. for service integrations
 * the Parameters result `{FunctionName, Payload, ...}`; its resolved value is the task result and a
 * rejection with an Error named X is the task error X.
 */
export function buildTaskHandlers(tasks: Iterable<TaskStateInfo>, runtime: TaskRuntime): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const task of tasks) {
    handlers[task.name] = (input) => {
      const result = runTask(task, input, runtime);
      // The engine may throw before it races this promise (e.g. a bad TimeoutSecondsPath); the no-op
      // branch keeps a later rejection from becoming an unhandled rejection. The engine still sees it.
      result.catch(() => undefined);
      return result;
    };
  }
  return handlers;
}

async function runTask(task: TaskStateInfo, engineInput: JsonValue, runtime: TaskRuntime): Promise<JsonValue> {
  const startedAt = Date.now();
  const timeout = readTimeout(task, engineInput);
  // Invalid TimeoutSecondsPath value: the engine fails the state with States.Runtime right after this
  // call returns; do nothing (no function call) and never settle.
  if (timeout === 'invalid') return new Promise<never>(() => undefined);
  const input = withoutTimeoutParameter(engineInput);
  // The engine logs StateEntered synchronously before calling us but its event stream is consumed
  // asynchronously; yielding one macrotask keeps TaskScheduled after TaskStateEntered in the history.
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (runtime.signal.aborted) throw executionClosedError();
  const deadline = timeout === undefined ? undefined : startedAt + timeout * 1000;
  switch (task.kind) {
    case 'lambda-invoke':
      return invokeLambdaIntegration(task, input, timeout, runtime);
    case 'lambda-callback':
      return invokeLambdaCallback(task, input, timeout, deadline, runtime);
    case 'lambda-function':
      return invokeLambdaResource(task, input, timeout, runtime);
    case 'unsupported': {
      const message = `Task state "${task.name}": resource "${task.resource}" is not supported by the local Step Functions emulator (supported: arn:aws:states:::lambda:invoke, arn:aws:states:::lambda:invoke.waitForTaskToken, Lambda function ARNs)`;
      runtime.log(`[sfn] ${message}`);
      throw new TaskError('SfnEmulator.UnsupportedResource', message, { catchable: false });
    }
  }
}

async function invokeLambdaIntegration(task: TaskStateInfo, input: JsonValue, timeout: number | undefined, runtime: TaskRuntime): Promise<JsonValue> {
  const { functionName, payload } = lambdaParameters(task, input);
  const resource = { resourceType: 'lambda', resource: 'invoke' };
  runtime.record('TaskScheduled', { ...resource, region: runtime.region, parameters: JSON.stringify(input), timeoutInSeconds: timeout });
  runtime.record('TaskStarted', resource);
  const result = await abortable(invokeFunction(runtime.functions, functionName, payload), runtime.signal);
  const response = invokeResponse(result);
  runtime.record('TaskSucceeded', { ...resource, output: JSON.stringify(response) });
  return response;
}

async function invokeLambdaCallback(
  task: TaskStateInfo,
  input: JsonValue,
  timeout: number | undefined,
  deadline: number | undefined,
  runtime: TaskRuntime,
): Promise<JsonValue> {
  const { token, result } = runtime.tokens.issue(runtime.executionArn, task.name, deadline);
  const parameters = replaceInStrings(input, runtime.tokenPlaceholder, token);
  runtime.record('TaskScheduled', { ...CALLBACK_RESOURCE, region: runtime.region, parameters: JSON.stringify(parameters), timeoutInSeconds: timeout });
  runtime.record('TaskStarted', CALLBACK_RESOURCE);
  await runtime.onCallbackIssued(task.name, token, deadline);
  if (runtime.signal.aborted) {
    runtime.tokens.close(token);
    throw executionClosedError();
  }
  await submitCallback(task, parameters, token, runtime);
  return awaitCallback(result, runtime);
}

/**
 * Re-enters a callback task after a restart with the token issued before it (see resume.ts): the
 * function is invoked again only if it had not returned yet (at least once, like Lambda's retries).
 */
export async function resumeCallback(
  task: TaskStateInfo,
  engineInput: JsonValue,
  pending: { token: string; result: Promise<JsonValue>; submitted: boolean },
  runtime: TaskRuntime,
): Promise<JsonValue> {
  if (!pending.submitted) {
    await new Promise<void>((resolve) => setImmediate(resolve)); // as in runTask: history order
    const parameters = replaceInStrings(withoutTimeoutParameter(engineInput), runtime.tokenPlaceholder, pending.token);
    await submitCallback(task, parameters, pending.token, runtime);
  }
  return awaitCallback(pending.result, runtime);
}

async function submitCallback(task: TaskStateInfo, parameters: JsonValue, token: string, runtime: TaskRuntime): Promise<void> {
  const { functionName, payload } = lambdaParameters(task, parameters);
  try {
    const invoked = await abortable(invokeFunction(runtime.functions, functionName, payload), runtime.signal);
    runtime.record('TaskSubmitted', { ...CALLBACK_RESOURCE, output: JSON.stringify(invokeResponse(invoked)) });
    runtime.onCallbackSubmitted(task.name, token);
  } catch (error) {
    runtime.tokens.close(token);
    throw error;
  }
}

async function awaitCallback(result: Promise<JsonValue>, runtime: TaskRuntime): Promise<JsonValue> {
  const output = await result;
  runtime.record('TaskSucceeded', { ...CALLBACK_RESOURCE, output: JSON.stringify(output) });
  return output;
}

async function invokeLambdaResource(task: TaskStateInfo, input: JsonValue, timeout: number | undefined, runtime: TaskRuntime): Promise<JsonValue> {
  runtime.record('LambdaFunctionScheduled', { resource: task.resource, input: JSON.stringify(input), timeoutInSeconds: timeout });
  runtime.record('LambdaFunctionStarted');
  const output = await abortable(invokeFunction(runtime.functions, task.resource, input), runtime.signal);
  runtime.record('LambdaFunctionSucceeded', { output: JSON.stringify(output) });
  return output;
}

/** The optimized integration's result shape (so `ResultSelector: {"x.$": "$.Payload"}` works). */
function invokeResponse(payload: JsonValue): JsonObject {
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
}

function lambdaParameters(task: TaskStateInfo, parameters: JsonValue): { functionName: string; payload: JsonValue } {
  const functionName = isJsonObject(parameters) ? parameters['FunctionName'] : undefined;
  if (typeof functionName !== 'string' || functionName === '') {
    throw new TaskError('States.Runtime', `Task state "${task.name}": Parameters.FunctionName must be a non-empty string`, { catchable: false });
  }
  // Invoke without a payload delivers `{}` to the function.
  const payload = isJsonObject(parameters) ? (parameters['Payload'] ?? {}) : {};
  return { functionName, payload };
}

/**
 * The task's timeout in seconds: static, or the TimeoutSecondsPath value the definition rewrite put into
 * the Parameters result. Values above Node's timer limit are clamped in place, because the engine reads
 * the same object after this handler is called.
 */
function readTimeout(task: TaskStateInfo, engineInput: JsonValue): number | undefined | 'invalid' {
  if (!isJsonObject(engineInput) || !(TIMEOUT_PARAMETER in engineInput)) return task.timeoutSeconds;
  const value = engineInput[TIMEOUT_PARAMETER];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return 'invalid';
  if (value > MAX_TIMER_SECONDS) engineInput[TIMEOUT_PARAMETER] = MAX_TIMER_SECONDS;
  return Math.min(value, MAX_TIMER_SECONDS);
}

function withoutTimeoutParameter(engineInput: JsonValue): JsonValue {
  if (!isJsonObject(engineInput) || !(TIMEOUT_PARAMETER in engineInput)) return engineInput;
  const copy = { ...engineInput };
  delete copy[TIMEOUT_PARAMETER];
  return copy;
}

/** Settles with `promise`, or rejects with a non-catchable error as soon as the execution stops running. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(executionClosedError());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
