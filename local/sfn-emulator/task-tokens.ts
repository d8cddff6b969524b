import { randomBytes } from 'node:crypto';
import { SfnServiceError, TaskError } from './errors';
import type { JsonValue } from './json';

/** First bytes of every token this emulator issues; anything that does not decode to them is "malformed". */
const TOKEN_MAGIC = Buffer.from([0x01, 0x4c, 0x53, 0x46]);
const TOKEN_RANDOM_BYTES = 92;
/** Timer vs. wall-clock jitter tolerated when matching a timeout to the token it belongs to. */
const DEADLINE_SLACK_MS = 50;

/** What SendTaskSuccess / SendTaskFailure delivered for a token. */
export type TaskOutcome = { output: JsonValue } | { error: string; cause: string };

export interface PendingTask {
  executionArn: string;
  stateName: string;
  /** Epoch ms when the task's timeout elapses, when known. */
  deadline: number | undefined;
  resolve: (output: JsonValue) => void;
  reject: (error: Error) => void;
}

/** Hands an outcome to the task waiting on the token (an error becomes the task error, for Retry/Catch). */
export function settleTask(task: PendingTask, outcome: TaskOutcome): void {
  if ('output' in outcome) task.resolve(outcome.output);
  else task.reject(new TaskError(outcome.error, outcome.cause));
}

/**
 * Task tokens of `.waitForTaskToken` tasks. A token is pending until SendTaskSuccess/SendTaskFailure,
 * the task's timeout, or the end of its execution; afterwards it is "closed" and the API answers
 * TaskTimedOut for it, like Step Functions ("Provided task does not exist anymore").
 */
export class TaskTokenRegistry {
  private readonly pending = new Map<string, PendingTask>();
  private readonly closed = new Set<string>();

  /** Issues a new opaque token (base64, like the service's) and the promise its result settles. */
  issue(executionArn: string, stateName: string, deadline: number | undefined): { token: string; result: Promise<JsonValue> } {
    const token = Buffer.concat([TOKEN_MAGIC, randomBytes(TOKEN_RANDOM_BYTES)]).toString('base64');
    return { token, result: this.register(token, executionArn, stateName, deadline) };
  }

  /** Makes a token issued before a restart (read from the data directory) pending again. */
  adopt(token: string, executionArn: string, stateName: string, deadline: number | undefined): Promise<JsonValue> {
    this.closed.delete(token);
    return this.register(token, executionArn, stateName, deadline);
  }

  /** Tokens read from the data directory that were used, timed out or belong to finished executions. */
  markClosed(tokens: Iterable<string>): void {
    for (const token of tokens) if (!this.pending.has(token)) this.closed.add(token);
  }

  /**
   * Claims a pending token for SendTaskSuccess/SendTaskFailure: from now on it is closed, so a second
   * call gets TaskTimedOut even before the first one has settled it (see settleTask).
   */
  take(token: string): PendingTask {
    const task = this.lookup(token);
    this.pending.delete(token);
    this.closed.add(token);
    return task;
  }

  /** SendTaskHeartbeat: validates the token (HeartbeatSeconds is not emulated). */
  heartbeat(token: string): void {
    this.lookup(token);
  }

  /** Closes a token without settling it (its task already failed another way). */
  close(token: string): void {
    if (this.pending.delete(token)) this.closed.add(token);
  }

  /**
   * Called when the engine reports States.Timeout for a Task state: closes that state's tokens whose
   * deadline has passed (or is unknown), so a late SendTaskSuccess gets TaskTimedOut. The engine already
   * failed the task; the tokens' promises are left unsettled (nothing waits for them any more).
   */
  closeTimedOut(executionArn: string, stateName: string, now = Date.now()): void {
    for (const [token, task] of this.pending) {
      const due = task.deadline === undefined || task.deadline <= now + DEADLINE_SLACK_MS;
      if (task.executionArn === executionArn && task.stateName === stateName && due) this.close(token);
    }
  }

  /** Rejects every pending token of an execution that is no longer running. */
  rejectExecution(executionArn: string, error: Error): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn !== executionArn) continue;
      this.pending.delete(token);
      this.closed.add(token);
      task.reject(error);
    }
  }

  private register(token: string, executionArn: string, stateName: string, deadline: number | undefined): Promise<JsonValue> {
    const result = new Promise<JsonValue>((resolve, reject) => {
      this.pending.set(token, { executionArn, stateName, deadline, resolve, reject });
    });
    // Whoever waits for the token awaits `result` itself; this handler only keeps a rejection that
    // nobody waits for any more (execution stopped while the function still ran) from being "unhandled".
    result.catch(() => undefined);
    return result;
  }

  private lookup(token: string): PendingTask {
    const task = this.pending.get(token);
    if (task) return task;
    if (this.closed.has(token)) {
      throw new SfnServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    if (!isWellFormed(token)) throw new SfnServiceError('InvalidToken', 'Invalid token');
    throw new SfnServiceError('TaskDoesNotExist', 'Task does not exist');
  }
}

function isWellFormed(token: string): boolean {
  const bytes = Buffer.from(token, 'base64');
  return (
    bytes.toString('base64') === token &&
    bytes.length === TOKEN_MAGIC.length + TOKEN_RANDOM_BYTES &&
    bytes.subarray(0, TOKEN_MAGIC.length).equals(TOKEN_MAGIC)
  );
}
