import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { finished, history, RecordingFunctions, resumeDefinition, sleep, startEmulator, waitFor, type Running } from './fixtures/sfn-resume-harness';

const dirs: string[] = [];
const running: Running[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-emulator-'));
  dirs.push(dir);
  return dir;
}

async function start(options: Parameters<typeof startEmulator>[0]): Promise<Running> {
  const instance = await startEmulator(options);
  running.push(instance);
  return instance;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startExecution(sfn: SFNClient, emulator: Running['emulator'], name: string, input: Record<string, unknown>): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('sfn-resume'), name, input: JSON.stringify({ id: name, ...input }) }),
  );
  return executionArn!;
}

function approval(functions: RecordingFunctions, id: string, nth = 1): Promise<string> {
  return waitFor(() => functions.approvals.filter((request) => request.id === id)[nth - 1]?.taskToken, `approval request #${nth} of ${id}`);
}

function expectContinuous(events: HistoryEvent[]): void {
  events.forEach((event, index) => expect(event).toMatchObject({ id: index + 1, previousEventId: index }));
}

/** As strings: ExecutionResumed (emulator-specific) is not in the SDK's HistoryEventType union. */
function typesOf(events: HistoryEvent[]): string[] {
  return events.map((event) => String(event.type));
}

function entered(events: HistoryEvent[], state: string): HistoryEvent | undefined {
  return events.find((event) => event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name === state);
}

describe('with a dataDir, a restart keeps executions', () => {
  it('resumes a callback task with its old token, serves finished executions read-only and closes used tokens', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const waitingArn = await startExecution(first.sfn, first.emulator, 'waiting', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    const token = await approval(before, 'waiting');
    const doneArn = await startExecution(first.sfn, first.emulator, 'done', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    const usedToken = await approval(before, 'done');
    await first.sfn.send(new SendTaskSuccessCommand({ taskToken: usedToken, output: JSON.stringify({ approver: 'bob' }) }));
    const done = await finished(first.sfn, doneArn);
    const doneHistory = await history(first.sfn, doneArn);
    const historyBefore = await history(first.sfn, waitingArn);
    expect(historyBefore.at(-1)?.type).toBe('TaskSubmitted');
    await first.stop();

    // close() left the waiting execution RUNNING on disk, with the token it waits on.
    const files = readdirSync(join(dir, 'executions', 'sfn-resume'));
    const file = JSON.parse(readFileSync(join(dir, 'executions', 'sfn-resume', files.find((name) => name.startsWith('waiting.'))!), 'utf8'));
    expect(file.execution.status).toBe('RUNNING');
    expect(file.position).toMatchObject({ state: 'Approval', waiting: { kind: 'callback', token, submitted: true } });

    const after = new RecordingFunctions();
    const second = await start({ dataDir: dir, functions: after.registry });
    expect(await second.sfn.send(new DescribeExecutionCommand({ executionArn: waitingArn }))).toMatchObject({ status: 'RUNNING' });
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approver: 'alice' }) }));
    const execution = await finished(second.sfn, waitingArn);
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output).toMatchObject({ id: 'waiting', approval: { approver: 'alice' }, finished: { result: { step: 'finish' } } });
    expect(after.approvals).toEqual([]); // the request-approval function was not invoked again
    // $$.Execution.Input is still the execution's input, not the resumed state's.
    expect(after.steps.find((call) => call.step === 'finish')?.executionInput).toEqual({ id: 'waiting', approvalTimeoutSeconds: 60, pauseSeconds: 0 });

    const events = await history(second.sfn, waitingArn);
    expectContinuous(events);
    expect(events.slice(0, historyBefore.length)).toEqual(historyBefore);
    expect(typesOf(events.slice(historyBefore.length))).toEqual([
      'ExecutionResumed',
      'TaskSucceeded',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);

    // Finished before the restart: served as it was.
    const doneAfter = await second.sfn.send(new DescribeExecutionCommand({ executionArn: doneArn }));
    expect(doneAfter).toMatchObject({ status: 'SUCCEEDED', output: done.output, startDate: done.startDate, stopDate: done.stopDate });
    expect(await history(second.sfn, doneArn)).toEqual(doneHistory);
    const listed = await second.sfn.send(new ListExecutionsCommand({ stateMachineArn: second.emulator.stateMachineArn('sfn-resume') }));
    expect(listed.executions?.map((item) => item.name)).toEqual(['done', 'waiting']);
    // Tokens used before or after the restart stay used.
    await expect(second.sfn.send(new SendTaskSuccessCommand({ taskToken: usedToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('takes the Catch path at once when the task timed out while the emulator was down', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'expired', { approvalTimeoutSeconds: 1, pauseSeconds: 0 });
    const token = await approval(before, 'expired');
    await first.stop();
    await sleep(1200);

    const second = await start({ dataDir: dir, functions: new RecordingFunctions().registry });
    const restartedAt = Date.now();
    const execution = await finished(second.sfn, arn);
    expect(Date.now() - restartedAt).toBeLessThan(800);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'expired', failure: { Error: 'States.Timeout' } });
    const types = typesOf(await history(second.sfn, arn));
    expect(types.slice(types.indexOf('ExecutionResumed'))).toEqual(['ExecutionResumed', 'TaskTimedOut', 'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    await expect(second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('keeps the original deadline of a callback task (downtime counts)', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'deadline', { approvalTimeoutSeconds: 2, pauseSeconds: 0 });
    await approval(before, 'deadline');
    await first.stop();
    await sleep(700);

    const second = await start({ dataDir: dir, functions: new RecordingFunctions().registry });
    const execution = await finished(second.sfn, arn);
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'expired' });
    const events = await history(second.sfn, arn);
    const waited = events.find((event) => event.type === 'TaskTimedOut')!.timestamp!.getTime() - entered(events, 'Approval')!.timestamp!.getTime();
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(2600);
  });

  it('applies Retry and Catch to a SendTaskFailure with the old token', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'retried', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    const token = await approval(before, 'retried');
    await first.stop();

    const after = new RecordingFunctions();
    const second = await start({ dataDir: dir, functions: after.registry });
    await second.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'TryAgain', cause: 'ask again' }));
    // The retry is a normal entry: the function runs again and issues a new token.
    const retryToken = await approval(after, 'retried');
    expect(retryToken).not.toBe(token);
    await second.sfn.send(new SendTaskFailureCommand({ taskToken: retryToken, error: 'Rejected', cause: 'no' }));
    const execution = await finished(second.sfn, arn);
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'rejected', failure: { Error: 'Rejected', Cause: 'no' } });
  });

  it('resumes a Wait state with the time that is left', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'paused', { approvalTimeoutSeconds: 60, pauseSeconds: 2 });
    await first.sfn.send(new SendTaskSuccessCommand({ taskToken: await approval(before, 'paused'), output: '{}' }));
    await waitFor(async () => entered(await history(first.sfn, arn), 'Pause'), 'the Wait state');
    await first.stop();
    await sleep(1000);

    const after = new RecordingFunctions();
    const second = await start({ dataDir: dir, functions: after.registry });
    const execution = await finished(second.sfn, arn);
    expect(execution.status).toBe('SUCCEEDED');
    const events = await history(second.sfn, arn);
    expectContinuous(events);
    const waited = entered(events, 'Finish')!.timestamp!.getTime() - entered(events, 'Pause')!.timestamp!.getTime();
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(2700);
    expect(events.filter((event) => event.type === 'WaitStateEntered')).toHaveLength(1);
    expect(before.stepCount('paused', 'finish') + after.stepCount('paused', 'finish')).toBe(1);
  });

  it('runs a lambda:invoke task that the restart interrupted again (at least once)', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    before.hang.add('interrupted');
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'interrupted', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    await waitFor(() => (before.stepCount('interrupted', 'prepare') > 0 ? true : undefined), 'the Prepare step');
    await first.stop();

    const after = new RecordingFunctions();
    const second = await start({ dataDir: dir, functions: after.registry });
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: await approval(after, 'interrupted'), output: '{}' }));
    expect((await finished(second.sfn, arn)).status).toBe('SUCCEEDED');
    expect(after.stepCount('interrupted', 'prepare')).toBe(1);
    const types = typesOf(await history(second.sfn, arn));
    expect(types.slice(0, 8)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'ExecutionResumed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
    ]);
  });

  it('invokes a callback task’s function again, with the same token, when it had not returned', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    before.hangApproval.add('unsent');
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'unsent', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    const token = await approval(before, 'unsent');
    await first.stop();

    const after = new RecordingFunctions();
    const second = await start({ dataDir: dir, functions: after.registry });
    expect(await approval(after, 'unsent')).toBe(token);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    expect((await finished(second.sfn, arn)).status).toBe('SUCCEEDED');
    expect(after.approvals).toHaveLength(1);
    const types = typesOf(await history(second.sfn, arn));
    expect(types.slice(types.indexOf('ExecutionResumed'), types.indexOf('ExecutionResumed') + 3)).toEqual(['ExecutionResumed', 'TaskSubmitted', 'TaskSucceeded']);
  });

  it('resumes on the definition revision the execution started with', async () => {
    const dir = dataDir();
    const before = new RecordingFunctions();
    const first = await start({ dataDir: dir, functions: before.registry });
    const arn = await startExecution(first.sfn, first.emulator, 'old-revision', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    const token = await approval(before, 'old-revision');
    const original = resumeDefinition();
    await first.stop();

    const edited = resumeDefinition((text) => text.replace('"ResultPath": "$.finished"', '"ResultPath": "$.finishedV2"'));
    const second = await start({ dataDir: dir, functions: new RecordingFunctions().registry, definition: edited });
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const output = JSON.parse((await finished(second.sfn, arn)).output!);
    expect(output.finished).toBeDefined();
    expect(output.finishedV2).toBeUndefined();
    const forExecution = await second.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: arn }));
    expect(forExecution.definition).toBe(original);
    const current = await second.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: second.emulator.stateMachineArn('sfn-resume') }));
    expect(current.definition).toBe(edited);
    expect(current.revisionId).not.toBe(forExecution.revisionId);
  });

  it('ignores leftovers of interrupted writes and files it cannot read', async () => {
    const dir = dataDir();
    const first = await start({ dataDir: dir, functions: new RecordingFunctions().registry });
    const arn = await startExecution(first.sfn, first.emulator, 'intact', { approvalTimeoutSeconds: 60, pauseSeconds: 0 });
    await first.stop();
    const executions = join(dir, 'executions', 'sfn-resume');
    const [intact] = readdirSync(executions);
    writeFileSync(join(executions, `${intact}.4242.tmp`), '{"format": 1, "execution": {"trunc');
    writeFileSync(join(executions, 'garbage.json'), 'not json');

    const lines: string[] = [];
    const second = await start({ dataDir: dir, functions: new RecordingFunctions().registry, log: (line) => lines.push(line) });
    expect(await second.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).toMatchObject({ status: 'RUNNING' });
    await second.stop(); // no write in flight (its own temporary file) while listing
    expect(readdirSync(executions).sort()).toEqual(['garbage.json', intact].sort());
    expect(lines.some((line) => line.includes('ignoring') && line.includes('garbage.json'))).toBe(true);
  });
});
