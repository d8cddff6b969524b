import type { DataDir } from './data-dir';
import type { ExecutionStore } from './executions';
import { isJsonObject } from './json';
import type { LiveExecution } from './live-execution';
import type { TaskTokenRegistry } from './task-tokens';
import { waitEndsAt } from './wait-time';

/**
 * Reads every execution of the data directory into the store, oldest first (ListExecutions lists
 * newest first). Finished ones are read-only. For RUNNING ones the token they wait on is made pending
 * again right away, so SendTaskSuccess works as soon as the server listens; all other tokens they
 * ever issued are closed (TaskTimedOut). Returns the executions to resume (see resumeExecutions).
 */
export async function restoreExecutions(dataDir: DataDir, store: ExecutionStore, tokens: TaskTokenRegistry, log: (line: string) => void): Promise<LiveExecution[]> {
  const files = (await dataDir.readExecutions()).sort((a, b) => a.execution.startDate - b.execution.startDate);
  const running: LiveExecution[] = [];
  for (const file of files) {
    const { revision, ...fields } = file.execution;
    const machine = store.catalog.revision(fields.stateMachineArn, revision);
    const live = store.track(fields, machine, revision, file.history);
    Object.assign(live, { tokens: file.tokens, resumes: file.resumes, position: fields.status === 'RUNNING' ? file.position : undefined });
    const waiting = live.position?.waiting;
    if (waiting?.kind === 'callback' && !waiting.outcome && live.position) {
      live.adopted = tokens.adopt(waiting.token, fields.executionArn, live.position.state, waiting.deadline);
    }
    tokens.markClosed(file.tokens);
    if (fields.status !== 'RUNNING') continue;
    if (!machine) {
      log(`[sfn] ${fields.executionArn} is RUNNING but revision ${revision.slice(0, 12)} of its state machine is unknown; it is not resumed`);
      // No engine run to report the abort of a StopExecution: record it here.
      live.abortRun = () => live.record.history.record('ExecutionAborted', { error: live.record.error, cause: live.record.cause });
      continue;
    }
    await completeWaitEnd(live);
    running.push(live);
  }
  if (files.length > 0) log(`[sfn] restored ${files.length} execution(s) from ${dataDir.root} (${running.length} to resume)`);
  return running;
}

/** Resumes what restoreExecutions returned; call it once the server listens (resumed tasks may call it). */
export function resumeExecutions(store: ExecutionStore, running: LiveExecution[]): void {
  for (const live of running) if (live.record.status === 'RUNNING') store.run(live, true);
}

/** A Wait state whose end was not computed yet when the emulator died: compute it from when it was entered. */
async function completeWaitEnd(live: LiveExecution): Promise<void> {
  const position = live.position;
  const waiting = position?.waiting;
  if (!position || waiting?.kind !== 'wait' || waiting.endsAt !== undefined || !live.machine) return;
  const states = live.machine.definition['States'];
  const state = isJsonObject(states) ? states[position.state] : undefined;
  if (!isJsonObject(state)) return;
  const context = { Execution: { Id: live.record.executionArn, Name: live.record.name, StartTime: new Date(live.record.startDate).toISOString() } };
  waiting.endsAt = await waitEndsAt(state, position.input, position.enteredAt, context);
}
