import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { TaskStateInfo } from './definition';
import { TaskError } from './errors';
import type { EngineEvent } from './history';
import { isJsonObject, toJsonValue, type JsonObject, type JsonValue } from './json';
import type { LambdaFunctionRegistry } from './lambda';
import type { ExecutionRecord, LiveExecution } from './live-execution';
import type { Position } from './position';
import { planResume, RESUME_STATE, type ResumePlan } from './resume';
import type { RegisteredStateMachine } from './state-machines';
import { buildTaskHandlers, resumeCallback, type TaskHandler, type TaskRuntime } from './task-dispatch';
import type { TaskTokenRegistry } from './task-tokens';
import { waitEndsAt } from './wait-time';

export interface RunnerDeps {
  region: string;
  functions: LambdaFunctionRegistry;
  tokens: TaskTokenRegistry;
  log: (line: string) => void;
}

export type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

/**
 * Runs `live` on aws-local-stepfunctions in the background: from the start, or (`resume`) from its
 * persisted position after a restart. Keeps the history and the position up to date and calls
 * `finish` with the result.
 */
export function launch(live: LiveExecution, machine: RegisteredStateMachine, deps: RunnerDeps, finish: (outcome: Outcome) => void, resume: boolean): void {
  const { record } = live;
  const tokenPlaceholder = `sfn-emulator-task-token-${randomUUID()}`;
  const context = {
    Execution: { Id: record.executionArn, Name: record.name, RoleArn: machine.roleArn, StartTime: new Date(record.startDate).toISOString(), RedriveCount: 0 },
    StateMachine: { Id: machine.arn, Name: machine.name },
    Task: { Token: tokenPlaceholder },
  };
  const runtime = taskRuntime(live, deps, tokenPlaceholder);
  const handlers = buildTaskHandlers(machine.tasks.values(), runtime);
  let engine = machine.machine;
  let waitTimeOverrides: Record<string, number> = {};
  let keep: (event: EngineEvent) => boolean = () => true;

  if (resume) {
    live.resumes++;
    const position = live.position;
    record.history.record('ExecutionResumed', {
      resumeCount: live.resumes,
      state: position?.state,
      cause: 'The local Step Functions emulator restarted; the execution continues where it was',
    });
    keep = resumedEvents(position?.state, record.history.events.some((event) => event.type === 'ExecutionStarted'));
    if (position) {
      let plan: ResumePlan;
      try {
        plan = planResume(machine.definition, position, Date.now() - record.startDate);
      } catch (error) {
        const cause = `Cannot resume after a restart: ${error instanceof Error ? error.message : String(error)}`;
        record.history.record('ExecutionFailed', { error: 'States.Runtime', cause });
        finish({ status: 'FAILED', error: 'States.Runtime', cause });
        return;
      }
      engine = new StateMachine(plan.definition, { validationOptions: { noValidate: true } });
      waitTimeOverrides = plan.waitTimeOverrides;
      const task = machine.tasks.get(position.state);
      const normal = handlers[position.state];
      if (task && normal) handlers[position.state] = resumedTaskHandler(task, normal, position, live, plan, runtime, deps);
    }
  }

  const execution = engine.run(JSON.parse(record.input) as JsonValue, { overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides }, context });
  live.abortRun = execution.abort;
  const states = topLevelStates(machine.definition);
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      if (!keep(event)) continue;
      record.history.onEngineEvent(event);
      if (event.type === 'StateEntered' && event.state && states.has(event.state.name)) enterState(live, event.state, event.timestamp, states, context);
      if (event.type === 'StateFailed' && event.state?.type === 'Task' && event.Error === 'States.Timeout') {
        deps.tokens.closeTimedOut(record.executionArn, event.state.name);
      }
    }
  })().catch((error: unknown) => deps.log(`[sfn] ${record.executionArn}: event log failed: ${String(error)}`));
  const outcome = execution.result.then(
    (output) => finish({ status: 'SUCCEEDED', output: JSON.stringify(output) }),
    (error: unknown) => finish(failure(error)),
  );
  live.settled = Promise.all([events, outcome]).then(() => undefined);
}

function taskRuntime(live: LiveExecution, deps: RunnerDeps, tokenPlaceholder: string): TaskRuntime {
  return {
    executionArn: live.record.executionArn,
    region: deps.region,
    tokenPlaceholder,
    signal: live.controller.signal,
    tokens: deps.tokens,
    functions: deps.functions,
    log: deps.log,
    record: (type, details) => live.record.history.record(type, details),
    onCallbackIssued(stateName, token, deadline) {
      live.tokens.push(token);
      // Only a top-level state is a resume point; tasks inside Map/Parallel re-run with their state.
      if (live.position?.state === stateName) live.position.waiting = { kind: 'callback', token, deadline, submitted: false };
      return live.sink.flush();
    },
    onCallbackSubmitted(_stateName, token) {
      const waiting = live.position?.waiting;
      if (waiting?.kind === 'callback' && waiting.token === token) {
        waiting.submitted = true;
        live.sink.changed();
      }
    },
  };
}

/**
 * The resumed Task state's handler: its first call continues the callback that was waiting before
 * the restart (same token, remaining timeout, no new invocation unless the function never returned);
 * later calls (Retry, a loop back to the state) behave normally.
 */
function resumedTaskHandler(
  task: TaskStateInfo,
  normal: TaskHandler,
  position: Position,
  live: LiveExecution,
  plan: ResumePlan,
  runtime: TaskRuntime,
  deps: RunnerDeps,
): TaskHandler {
  let first = true;
  return (input) => {
    const waiting = position.waiting;
    if (!first || waiting?.kind !== 'callback') {
      first = false;
      plan.armTaskTimeout(undefined);
      return normal(input); // a plain task interrupted by the restart simply runs again
    }
    first = false;
    let pending: { token: string; result: Promise<JsonValue>; submitted: boolean };
    if (waiting.outcome) {
      const { outcome } = waiting;
      const result = 'output' in outcome ? Promise.resolve(outcome.output) : Promise.reject(new TaskError(outcome.error, outcome.cause));
      pending = { token: waiting.token, result, submitted: true };
    } else {
      plan.armTaskTimeout(waiting.deadline === undefined ? undefined : waiting.deadline - Date.now());
      const result = live.adopted ?? deps.tokens.adopt(waiting.token, live.record.executionArn, task.name, waiting.deadline);
      pending = { token: waiting.token, result, submitted: waiting.submitted };
    }
    live.adopted = undefined;
    const result = resumeCallback(task, input, pending, runtime);
    result.catch(() => undefined); // see buildTaskHandlers: the engine awaits it, maybe not at once
    return result;
  };
}

/** Drops the resumed run's replay: its ExecutionStarted, the synthetic state, the re-entry of the resumed state. */
function resumedEvents(resumedState: string | undefined, started: boolean): (event: EngineEvent) => boolean {
  let reentered = resumedState === undefined;
  return (event) => {
    if (event.type === 'ExecutionStarted') return !started;
    if (event.state?.name === RESUME_STATE) return false;
    if (!reentered && event.type === 'StateEntered' && event.state?.name === resumedState) {
      reentered = true;
      return false;
    }
    return true;
  };
}

function enterState(live: LiveExecution, state: NonNullable<EngineEvent['state']>, enteredAt: number, states: Map<string, JsonObject>, context: Record<string, unknown>): void {
  const position: Position = { state: state.name, type: state.type, input: toJsonValue(state.input), enteredAt };
  live.position = position;
  live.sink.changed();
  const definition = states.get(state.name);
  if (state.type !== 'Wait' || !definition) return;
  const waiting = { kind: 'wait' as const, endsAt: undefined as number | undefined };
  position.waiting = waiting;
  void waitEndsAt(definition, position.input, enteredAt, context).then((endsAt) => {
    waiting.endsAt = endsAt;
    if (live.position === position) live.sink.changed();
  });
}

function topLevelStates(definition: JsonObject): Map<string, JsonObject> {
  const states = definition['States'];
  const entries = isJsonObject(states) ? Object.entries(states) : [];
  return new Map(entries.filter((entry): entry is [string, JsonObject] => isJsonObject(entry[1])));
}

function failure(error: unknown): Outcome {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' };
  }
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}
