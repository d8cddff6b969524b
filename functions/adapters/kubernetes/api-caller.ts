import { ClusterUnreachableError, ConflictError } from '../../domain/errors';
import { httpStatus, noAnswer } from './api-errors';

/**
 * How the gateway talks to the API server: each request with a timeout and a
 * few quick retries when the server does not answer; each read-modify-write
 * re-done on 409 Conflict with growing, jittered pauses.
 */
export interface ApiCallerOptions {
  /** The API server's URL, for messages. */
  server: string;
  requestTimeoutMs: number;
  /** Attempts of one request when the server does not answer or answers 5xx/429. */
  transportAttempts: number;
  /** Pause before the first retry of an unanswered request; doubles, jittered. */
  transportRetryDelayMs: number;
  /** Attempts of a read-modify-write that keeps hitting 409 Conflict. */
  conflictAttempts: number;
  /** Pause after the first conflict (`min`), doubling up to `max`, jittered. */
  conflictBackoffMs: { min: number; max: number };
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1), for jitter. */
  random: () => number;
}

/** A ClusterUnreachableError that keeps its parts, so a longer wait can reword it. */
export class ApiUnreachableError extends ClusterUnreachableError {
  constructor(
    readonly server: string,
    readonly reason: string,
    context: string,
    options?: ErrorOptions,
  ) {
    super(`the Kubernetes API at ${server} did not answer (${reason})${context}`, options);
  }
}

/**
 * A 409 to a write retried after its first try went unanswered: that first try
 * may have been applied (only its answer was lost), so the 409 may be our own.
 */
class ConflictAfterLostAnswer extends Error {
  readonly code = 409;
  constructor(cause: unknown) {
    super('409 Conflict after an unanswered attempt', { cause });
  }
}

/** One read-modify-write step: what the write would return, and the write itself (absent when nothing needs writing). */
export interface WritePlan<T> {
  result: T;
  write?: () => Promise<unknown>;
}

export class ApiCaller {
  constructor(private readonly options: ApiCallerOptions) {}

  get server(): string {
    return this.options.server;
  }

  /**
   * Sends one request (`send` gets the signal that aborts it at the timeout).
   * Retries what got no answer; throws ApiUnreachableError when no attempt
   * was answered, and rethrows any other failure as it came.
   */
  async request<T>(doing: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { transportAttempts, transportRetryDelayMs, requestTimeoutMs } = this.options;
    let unanswered = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send(AbortSignal.timeout(requestTimeoutMs));
      } catch (error) {
        const why = noAnswer(error, requestTimeoutMs);
        if (!why) throw unanswered && httpStatus(error) === 409 ? new ConflictAfterLostAnswer(error) : error;
        unanswered = true;
        if (!why.retry || attempt >= transportAttempts) {
          const tries = attempt === 1 ? '' : ` after ${attempt} attempts`;
          throw new ApiUnreachableError(this.server, why.reason, `; ${doing} failed${tries}`, { cause: error });
        }
        await this.options.sleep(this.jitter(transportRetryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * Runs `plan` (read, then compute the change) and its write until the write
   * goes through or there is nothing left to write; on 409 Conflict reads
   * again. Throws ConflictError after `conflictAttempts` conflicts.
   */
  async readModifyWrite<T>(doing: string, plan: () => Promise<WritePlan<T>>): Promise<T> {
    const { conflictAttempts, conflictBackoffMs } = this.options;
    // Set when a write may have been applied although it was answered 409: if the
    // next read finds nothing left to write, that write's result is the true one.
    let mayHaveLanded: { result: T } | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const { result, write } = await plan();
      if (!write) return mayHaveLanded ? mayHaveLanded.result : result;
      mayHaveLanded = undefined;
      try {
        await write();
        return result;
      } catch (error) {
        if (httpStatus(error) !== 409) throw error;
        if (error instanceof ConflictAfterLostAnswer) mayHaveLanded = { result };
        if (attempt >= conflictAttempts) {
          const cause = error instanceof ConflictAfterLostAnswer ? error.cause : error;
          throw new ConflictError(`${doing}: the object was modified by another writer on each of ${attempt} attempts (409 Conflict); try again`, { cause });
        }
        await this.options.sleep(this.jitter(Math.min(conflictBackoffMs.max, conflictBackoffMs.min * 2 ** (attempt - 1))));
      }
    }
  }

  /** Between half and all of `ms`: spreads out writers that collided at the same moment. */
  private jitter(ms: number): number {
    return Math.round(ms * (0.5 + this.options.random() / 2));
  }
}
