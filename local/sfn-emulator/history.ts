import type { TaskStateInfo } from './definition';

/** One GetExecutionHistory event; `timestamp` in epoch ms (converted to seconds on the wire). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  detailsKey?: string;
  details?: Record<string, unknown>;
}

/** The aws-local-stepfunctions event fields this module reads (its EventLog type is not exported). */
export interface EngineEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string; type: string };
}

export interface HistoryContext {
  roleArn: string;
  tasks: Map<string, TaskStateInfo>;
  /** error/cause given to StopExecution, for ExecutionAborted. */
  abortReason: () => { error?: string; cause?: string };
  /** Called after every new event (persistence). */
  onChange?: () => void;
}

/**
 * The event history of one execution, in Step Functions' shape. Engine events (execution and state
 * transitions) arrive through `onEngineEvent`; service-integration events (TaskScheduled, TaskSucceeded,
 * LambdaFunctionScheduled, ...) are recorded by the task dispatcher through `record`.
 */
export class ExecutionHistory {
  /** `events`: those recorded before a restart (read from the data directory); new ones continue the ids. */
  constructor(
    private readonly context: HistoryContext,
    readonly events: HistoryEvent[] = [],
  ) {}

  record(type: string, details?: Record<string, unknown>, timestamp = Date.now()): void {
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp, type };
    if (details) {
      event.detailsKey = detailsKeyFor(type);
      event.details = details;
    }
    this.events.push(event);
    this.context.onChange?.();
  }

  onEngineEvent(event: EngineEvent): void {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        return this.record('ExecutionStarted', { input: json(event.input), inputDetails: { truncated: false }, roleArn: this.context.roleArn }, at);
      case 'ExecutionSucceeded':
        return this.record('ExecutionSucceeded', { output: json(event.output), outputDetails: { truncated: false } }, at);
      case 'ExecutionFailed':
        return this.record('ExecutionFailed', errorDetails(event), at);
      case 'ExecutionAborted':
        return this.record('ExecutionAborted', this.context.abortReason(), at);
      case 'ExecutionTimeout':
        return this.record('ExecutionTimedOut', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' }, at);
      case 'StateEntered':
        if (!event.state) return;
        return this.record(`${event.state.type}StateEntered`, { name: event.state.name, input: json(event.state.input), inputDetails: { truncated: false } }, at);
      case 'StateExited':
        if (!event.state) return;
        return this.record(`${event.state.type}StateExited`, { name: event.state.name, output: json(event.state.output), outputDetails: { truncated: false } }, at);
      case 'StateFailed':
        return this.onStateFailed(event);
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return this.record(event.type, { name: event.parentState?.name, index: event.index }, at);
      default:
        // StateRetried / StateCaught / ParallelBranch*: Step Functions has no matching history events.
        return;
    }
  }

  private onStateFailed(event: EngineEvent): void {
    const state = event.state;
    if (!state) return;
    if (state.type === 'Map' || state.type === 'Parallel') return this.record(`${state.type}StateFailed`, undefined, event.timestamp);
    if (state.type !== 'Task') return; // Fail states etc. end in ExecutionFailed
    const task = this.context.tasks.get(state.name);
    const timedOut = event.Error === 'States.Timeout';
    const details = errorDetails(event);
    if (task?.kind === 'lambda-function') {
      return this.record(timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', details, event.timestamp);
    }
    const resource = resourceOf(task);
    this.record(timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...resource, ...details }, event.timestamp);
  }
}

function resourceOf(task: TaskStateInfo | undefined): { resourceType: string; resource: string } {
  if (task?.kind === 'lambda-invoke') return { resourceType: 'lambda', resource: 'invoke' };
  if (task?.kind === 'lambda-callback') return { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' };
  return { resourceType: 'unknown', resource: task?.resource ?? 'unknown' };
}

/** `TaskStateEntered` → `stateEnteredEventDetails`, `TaskScheduled` → `taskScheduledEventDetails`. */
function detailsKeyFor(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

function errorDetails(event: EngineEvent): { error?: string; cause?: string } {
  const cause = event.Cause;
  return {
    error: event.Error,
    cause: cause === undefined || typeof cause === 'string' ? cause : causeText(cause),
  };
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : JSON.stringify(cause);
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
