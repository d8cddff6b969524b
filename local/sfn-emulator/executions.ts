import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { assertExecutionName, executionArn, stateMachineArn, type ArnScope } from './arns';
import { prepareDefinition, type TaskStateInfo } from './definition';
import { executionClosedError, SfnServiceError } from './errors';
import { ExecutionHistory } from './history';
import type { JsonValue } from './json';
import type { LambdaFunctionRegistry } from './lambda';
import { buildTaskHandlers } from './task-dispatch';
import type { TaskTokenRegistry } from './task-tokens';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface RegisteredStateMachine {
  name: string;
  arn: string;
  machine: StateMachine;
  tasks: Map<string, TaskStateInfo>;
}

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

interface LiveExecution {
  record: ExecutionRecord;
  abortRun: () => void;
  /** Aborted once the execution is no longer running: pending tasks give up. */
  controller: AbortController;
  settled: Promise<void>;
}

export interface ExecutionStoreOptions {
  scope: ArnScope;
  functions: LambdaFunctionRegistry;
  tokens: TaskTokenRegistry;
  log: (line: string) => void;
}

/** Parses, rewrites (see prepareDefinition) and validates one state machine. */
export function loadStateMachine(scope: ArnScope, name: string, aslText: string): RegisteredStateMachine {
  try {
    const { definition, tasks } = prepareDefinition(aslText);
    // The library validates the definition itself (asl-validator) and throws if it is not valid ASL.
    const machine = new StateMachine(definition as unknown as StateMachineDefinition);
    return { name, arn: stateMachineArn(scope, name), machine, tasks };
  } catch (error) {
    throw new Error(`State machine "${name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * All executions, in memory only: restarting the emulator loses them (and their task tokens).
 * Executions run in the background on aws-local-stepfunctions; this class keeps their status,
 * result and history up to date.
 */
export class ExecutionStore {
  private readonly machines = new Map<string, RegisteredStateMachine>();
  private readonly executions = new Map<string, LiveExecution>();

  constructor(
    private readonly options: ExecutionStoreOptions,
    stateMachines: RegisteredStateMachine[],
  ) {
    for (const machine of stateMachines) this.machines.set(machine.arn, machine);
  }

  machine(arn: string): RegisteredStateMachine {
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** StartExecution, idempotent for the same name and input while the execution is running. */
  start(stateMachineArn: string, requestedName: string | undefined, input: string): ExecutionRecord {
    const machine = this.machine(stateMachineArn);
    const name = requestedName ?? randomUUID();
    assertExecutionName(name);
    const arn = executionArn(this.options.scope, machine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.record.status === 'RUNNING' && existing.record.input === input) return existing.record;
      throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch {
      throw new SfnServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
    }
    const live = this.run(machine, arn, name, input, parsedInput);
    this.executions.set(arn, live);
    this.options.log(`[sfn] ${machine.name}/${name} started`);
    return live.record;
  }

  describe(arn: string): ExecutionRecord {
    return this.live(arn).record;
  }

  /** Executions of a state machine, newest first. */
  list(stateMachineArn: string, status: ExecutionStatus | undefined): ExecutionRecord[] {
    this.machine(stateMachineArn);
    return [...this.executions.values()]
      .map((live) => live.record)
      .filter((record) => record.stateMachineArn === stateMachineArn && (status === undefined || record.status === status))
      .reverse();
  }

  /** StopExecution: aborts a running execution (no-op for one that already ended). */
  stop(arn: string, error: string | undefined, cause: string | undefined): ExecutionRecord {
    const live = this.live(arn);
    const { record } = live;
    if (record.status === 'RUNNING') {
      Object.assign(record, { status: 'ABORTED', stopDate: Date.now(), error, cause });
      live.abortRun(); // logs ExecutionAborted (reading error/cause above) and settles the result
      this.release(live);
      this.options.log(`[sfn] ${arn} aborted`);
    }
    return record;
  }

  /** Aborts every running execution and waits until they have all settled. */
  async closeAll(): Promise<void> {
    for (const live of this.executions.values()) {
      this.stop(live.record.executionArn, 'States.Aborted', 'The local Step Functions emulator was closed');
    }
    await Promise.all([...this.executions.values()].map((live) => live.settled));
  }

  private live(arn: string): LiveExecution {
    const live = this.executions.get(arn);
    if (!live) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return live;
  }

  private run(machine: RegisteredStateMachine, arn: string, name: string, input: string, parsedInput: JsonValue): LiveExecution {
    const { scope, tokens, functions, log } = this.options;
    const roleArn = `arn:aws:iam::${scope.accountId}:role/sfn-emulator`;
    const startDate = Date.now();
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      name,
      input,
      startDate,
      status: 'RUNNING',
      history: new ExecutionHistory({ roleArn, tasks: machine.tasks, abortReason: () => ({ error: record.error, cause: record.cause }) }),
    };
    const controller = new AbortController();
    const tokenPlaceholder = `sfn-emulator-task-token-${randomUUID()}`;
    const handlers = buildTaskHandlers(machine.tasks.values(), {
      executionArn: arn,
      region: scope.region,
      tokenPlaceholder,
      signal: controller.signal,
      tokens,
      functions,
      record: (type, details) => record.history.record(type, details),
      log,
    });
    const execution = machine.machine.run(parsedInput, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Id: arn, Name: name, RoleArn: roleArn, StartTime: new Date(startDate).toISOString(), RedriveCount: 0 },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: tokenPlaceholder },
      },
    });
    const live: LiveExecution = { record, controller, abortRun: execution.abort, settled: Promise.resolve() };
    const events = (async () => {
      for await (const event of execution.eventLogs) {
        record.history.onEngineEvent(event);
        if (event.type === 'StateFailed' && event.state.type === 'Task' && event.Error === 'States.Timeout') {
          tokens.closeTimedOut(arn, event.state.name);
        }
      }
    })().catch((error: unknown) => log(`[sfn] ${arn}: event log failed: ${String(error)}`));
    const outcome = execution.result.then(
      (output) => this.finish(live, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
      (error: unknown) => this.finish(live, failure(error)),
    );
    live.settled = Promise.all([events, outcome]).then(() => undefined);
    return live;
  }

  private finish(live: LiveExecution, outcome: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>): void {
    const { record } = live;
    if (record.status === 'RUNNING') {
      Object.assign(record, outcome, { stopDate: Date.now() });
      const detail = record.error === undefined ? '' : `: ${record.error}${record.cause ? ` (${record.cause})` : ''}`;
      this.options.log(`[sfn] ${record.executionArn} ${record.status}${detail}`);
    }
    this.release(live);
  }

  /** Gives up the execution's pending work: running task handlers and waiting task tokens. */
  private release(live: LiveExecution): void {
    live.controller.abort();
    this.options.tokens.rejectExecution(live.record.executionArn, executionClosedError());
  }
}

function failure(error: unknown): Pick<ExecutionRecord, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' };
  }
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}
