/**
 * Two kinds of errors live here:
 * - `SfnServiceError`: an API error returned to the SDK (`__type` + `message`, HTTP 400/500).
 * - `TaskError`: an error thrown into aws-local-stepfunctions from a Task override. The engine matches
 *   `Retry`/`Catch` on its `name` and reports its `message` as the Cause; it also honours the
 *   `isRetryable` / `isCatchable` flags (read as plain properties, defaulting to true).
 */

/** Namespace the real service puts in front of the error name (the SDK keeps only the part after `#`). */
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';

export class SfnServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }

  toBody(): { __type: string; message: string } {
    return { __type: `${ERROR_NAMESPACE}#${this.code}`, message: this.message };
  }
}

export class TaskError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(name: string, cause: string, options: { catchable?: boolean } = {}) {
    super(cause);
    this.name = name;
    this.isCatchable = options.catchable ?? true;
    this.isRetryable = this.isCatchable;
  }
}

/** Thrown into tasks of an execution that was stopped/timed out/closed: never caught, never retried. */
export function executionClosedError(): TaskError {
  return new TaskError('States.Aborted', 'The execution is no longer running', { catchable: false });
}

/** The `{errorMessage, errorType}` document Lambda returns for a function error, as the task Cause. */
export function lambdaFunctionError(thrown: unknown): TaskError {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  return new TaskError(errorType, JSON.stringify({ errorMessage, errorType }));
}
