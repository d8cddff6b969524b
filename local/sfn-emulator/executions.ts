import { randomUUID } from 'node:crypto';
import { assertExecutionName, executionArn, type ArnScope } from './arns';
import type { DataDir } from './data-dir';
import { executionClosedError, SfnServiceError } from './errors';
import { ExecutionHistory, type HistoryEvent } from './history';
import type { LambdaFunctionRegistry } from './lambda';
import { toExecutionFile, type ExecutionRecord, type ExecutionStatus, type LiveExecution } from './live-execution';
import { launch, type Outcome } from './runner';
import { memorySink, SnapshotWriter } from './snapshot-writer';
import type { RegisteredStateMachine, StateMachineCatalog } from './state-machines';
import { settleTask, type TaskOutcome, type TaskTokenRegistry } from './task-tokens';

export type { ExecutionRecord, ExecutionStatus } from './live-execution';

export interface ExecutionStoreOptions {
  scope: ArnScope;
  functions: LambdaFunctionRegistry;
  tokens: TaskTokenRegistry;
  log: (line: string) => void;
  /** Without one, everything is in memory and lost on restart. */
  dataDir?: DataDir;
}

/**
 * All executions. They run in the background on aws-local-stepfunctions (see runner.ts); this class
 * answers the API from their records and, with a data directory, keeps each one in its file so a
 * restarted emulator serves the finished ones and resumes the running ones (see restore.ts).
 */
export class ExecutionStore {
  private readonly executions = new Map<string, LiveExecution>();

  constructor(
    private readonly options: ExecutionStoreOptions,
    readonly catalog: StateMachineCatalog,
  ) {}

  /** StartExecution, idempotent for the same name and input while the execution is running. */
  async start(stateMachineArn: string, requestedName: string | undefined, input: string): Promise<ExecutionRecord> {
    const machine = this.catalog.get(stateMachineArn);
    const name = requestedName ?? randomUUID();
    assertExecutionName(name);
    const arn = executionArn(this.options.scope, machine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.record.status === 'RUNNING' && existing.record.input === input) return existing.record;
      throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    try {
      JSON.parse(input);
    } catch {
      throw new SfnServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
    }
    const record = { executionArn: arn, stateMachineArn: machine.arn, name, input, startDate: Date.now(), status: 'RUNNING' as const };
    const live = this.track(record, machine, machine.revision, []);
    this.run(live, false);
    this.options.log(`[sfn] ${machine.name}/${name} started`);
    // Answered once on disk: a caller that got its executionArn finds the execution after a crash.
    await live.sink.flush();
    return live.record;
  }

  describe(arn: string): ExecutionRecord {
    return this.live(arn).record;
  }

  /** The state machine revision an execution runs (DescribeStateMachineForExecution). */
  machineOf(arn: string): RegisteredStateMachine {
    const live = this.live(arn);
    if (!live.machine) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${live.record.stateMachineArn}'`);
    return live.machine;
  }

  /** Executions of a state machine, newest first. */
  list(stateMachineArn: string, status: ExecutionStatus | undefined): ExecutionRecord[] {
    this.catalog.get(stateMachineArn);
    return [...this.executions.values()]
      .map((live) => live.record)
      .filter((record) => record.stateMachineArn === stateMachineArn && (status === undefined || record.status === status))
      .reverse();
  }

  /** StopExecution: aborts a running execution (no-op for one that already ended). */
  stop(arn: string, error: string | undefined, cause: string | undefined): ExecutionRecord {
    const live = this.live(arn);
    if (live.record.status === 'RUNNING') {
      this.abort(live, error, cause);
      this.options.log(`[sfn] ${arn} aborted`);
    }
    return live.record;
  }

  /**
   * SendTaskSuccess / SendTaskFailure. The outcome is written to the execution's file before the
   * task continues and before the caller gets its answer: a restart right after still delivers it.
   */
  async completeTask(token: string, outcome: TaskOutcome): Promise<void> {
    const task = this.options.tokens.take(token);
    const live = this.executions.get(task.executionArn);
    const waiting = live?.position?.waiting;
    if (waiting?.kind === 'callback' && waiting.token === token) waiting.outcome = outcome;
    await live?.sink.flush();
    settleTask(task, outcome);
  }

  /**
   * Stops every run and waits until they have settled. With a data directory the files keep their
   * last state (RUNNING executions stay RUNNING) so the next start resumes them; without one the
   * executions are aborted.
   */
  async closeAll(): Promise<void> {
    const lives = [...this.executions.values()];
    const frozen = lives.map((live) => live.sink.freeze());
    for (const live of lives) {
      if (live.record.status !== 'RUNNING') continue;
      this.abort(live, 'States.Aborted', 'The local Step Functions emulator was closed');
      this.options.log(`[sfn] ${live.record.executionArn} ${this.options.dataDir ? 'left RUNNING; it resumes on the next start' : 'aborted'}`);
    }
    await Promise.all([...frozen, ...lives.map((live) => live.settled)]);
  }

  /** Adds an execution (new, or read back from the data directory) and gives it its sink. */
  track(fields: Omit<ExecutionRecord, 'history'>, machine: RegisteredStateMachine | undefined, revision: string, events: HistoryEvent[]): LiveExecution {
    const history = new ExecutionHistory(
      {
        roleArn: machine?.roleArn ?? '',
        tasks: machine?.tasks ?? new Map(),
        abortReason: () => ({ error: live.record.error, cause: live.record.cause }),
        onChange: () => live.sink.changed(),
      },
      events,
    );
    const live: LiveExecution = {
      record: { ...fields, history },
      machine,
      revision,
      position: undefined,
      tokens: [],
      resumes: 0,
      sink: memorySink,
      controller: new AbortController(),
      abortRun: () => undefined,
      settled: Promise.resolve(),
    };
    const { dataDir } = this.options;
    if (dataDir) {
      const path = dataDir.executionPath(machine?.name ?? fields.stateMachineArn.split(':').at(-1) ?? 'unknown', fields.name, fields.executionArn);
      live.sink = new SnapshotWriter(path, () => JSON.stringify(toExecutionFile(live)), this.options.log);
    }
    this.executions.set(fields.executionArn, live);
    return live;
  }

  /** Starts the engine for a RUNNING execution: from the start, or continuing after a restart. */
  run(live: LiveExecution, resume: boolean): void {
    const { scope, functions, tokens, log } = this.options;
    if (!live.machine) return;
    launch(live, live.machine, { region: scope.region, functions, tokens, log }, (outcome) => this.finish(live, outcome), resume);
    if (resume) log(`[sfn] ${live.record.executionArn} resumed${live.position ? ` at ${live.position.state}` : ''}`);
  }

  private live(arn: string): LiveExecution {
    const live = this.executions.get(arn);
    if (!live) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return live;
  }

  private finish(live: LiveExecution, outcome: Outcome): void {
    const { record } = live;
    if (record.status === 'RUNNING') {
      Object.assign(record, outcome, { stopDate: Date.now() });
      const detail = record.error === undefined ? '' : `: ${record.error}${record.cause ? ` (${record.cause})` : ''}`;
      this.options.log(`[sfn] ${record.executionArn} ${record.status}${detail}`);
    }
    live.position = undefined;
    live.sink.changed();
    this.release(live);
  }

  private abort(live: LiveExecution, error: string | undefined, cause: string | undefined): void {
    Object.assign(live.record, { status: 'ABORTED', stopDate: Date.now(), error, cause });
    live.abortRun(); // logs ExecutionAborted (reading error/cause above) and settles the result
    this.release(live);
  }

  /** Gives up the execution's pending work: running task handlers and waiting task tokens. */
  private release(live: LiveExecution): void {
    live.controller.abort();
    this.options.tokens.rejectExecution(live.record.executionArn, executionClosedError());
    live.sink.changed();
  }
}
