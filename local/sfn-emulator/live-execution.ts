import type { ExecutionHistory } from './history';
import type { JsonValue } from './json';
import type { ExecutionFile } from './persisted';
import type { Position } from './position';
import type { ExecutionSink } from './snapshot-writer';
import type { RegisteredStateMachine } from './state-machines';

export type ExecutionStatus = ExecutionFile['execution']['status'];

/** What the API reports about an execution. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  /** The input exactly as given to StartExecution (JSON text). */
  readonly input: string;
  readonly startDate: number;
  readonly history: ExecutionHistory;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

/** An execution and everything needed to run, persist and resume it. */
export interface LiveExecution {
  record: ExecutionRecord;
  /** The revision it runs; undefined for a persisted execution whose definition is gone (read-only). */
  machine: RegisteredStateMachine | undefined;
  /** Revision from the execution's file (equals machine.revision when the machine is known). */
  revision: string;
  /** Only while RUNNING: where to resume (see position.ts). */
  position: Position | undefined;
  /** Every task token the execution issued. */
  tokens: string[];
  resumes: number;
  sink: ExecutionSink;
  /** Aborted once the execution is no longer running: pending tasks give up. */
  controller: AbortController;
  abortRun: () => void;
  settled: Promise<void>;
  /** Set while loading: the token `position` waits on, made pending again (see TaskTokenRegistry.adopt). */
  adopted?: Promise<JsonValue>;
}

export function toExecutionFile(live: LiveExecution): ExecutionFile {
  const { record } = live;
  return {
    format: 1,
    execution: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      input: record.input,
      startDate: record.startDate,
      status: record.status,
      stopDate: record.stopDate,
      output: record.output,
      error: record.error,
      cause: record.cause,
      revision: live.revision,
    },
    history: record.history.events,
    position: record.status === 'RUNNING' ? live.position : undefined,
    tokens: live.tokens,
    resumes: live.resumes,
  };
}
