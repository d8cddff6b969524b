import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { applyDefinitionSubstitutions, startStepFunctionsEmulator, type LambdaFunctionRegistry } from '../../local/sfn-emulator';

const ACCOUNT = '123456789012';
const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const SUBSTITUTIONS = {
  EchoFunctionArn: functionArn('Echo'),
  DeployFunctionArn: functionArn('Deploy'),
  SummarizeFunctionArn: functionArn('Summarize'),
  RequestApprovalFunctionArn: functionArn('RequestApproval'),
};

function fixture(name: string): string {
  const text = readFileSync(new URL(`./fixtures/${name}.asl.json`, import.meta.url), 'utf8');
  return applyDefinitionSubstitutions(text, SUBSTITUTIONS);
}

class RolloutFailed extends Error {
  override name = 'RolloutFailed';
}

interface ApprovalRequest {
  step: string;
  releaseId?: string;
  taskToken?: string;
  token?: string;
}

const approvalRequests: ApprovalRequest[] = [];

const functions: LambdaFunctionRegistry = {
  [functionArn('Echo')]: async (payload) => ({ received: (payload as { value?: unknown }).value }),
  [functionArn('Deploy')]: async (payload) => {
    const { mode } = payload as { mode?: string };
    if (mode === 'rollout-fails') throw new RolloutFailed('pods never became ready');
    if (mode === 'crash') throw new TypeError('boom');
    return { deployed: true };
  },
  [functionArn('Summarize')]: async (input) => ({ keys: Object.keys(input as object).sort() }),
  [functionArn('RequestApproval')]: async (payload) => {
    approvalRequests.push(payload as ApprovalRequest);
    return { emailed: true };
  },
};

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let emulator: Awaited<ReturnType<typeof startStepFunctionsEmulator>>;
let sfn: SFNClient;

beforeAll(async () => {
  emulator = await startStepFunctionsEmulator({
    port: await freePort(),
    stateMachines: ['sfn-invoke', 'sfn-approval', 'sfn-timeout', 'sfn-nested'].map((name) => ({ name, definition: fixture(name) })),
    functions,
  });
  sfn = new SFNClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  sfn?.destroy();
  await emulator?.close();
});

async function start(machine: string, input: unknown, name?: string): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn(machine), name, input: JSON.stringify(input) }),
  );
  return executionArn!;
}

async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return waitFor(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  }, `${executionArn} to finish`);
}

function approvalRequest(releaseId: string, step: string): Promise<ApprovalRequest> {
  return waitFor(() => approvalRequests.find((r) => r.releaseId === releaseId && r.step === step), `${step} approval request of ${releaseId}`);
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

describe('lambda:invoke and Lambda ARN tasks', () => {
  it('returns the integration result shape and names the execution after the state machine', async () => {
    const arn = await start('sfn-invoke', { value: 42, mode: 'ok' }, 'invoke-ok');
    expect(arn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:execution:sfn-invoke:invoke-ok`);
    const execution = await finished(arn);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', name: 'invoke-ok', stateMachineArn: emulator.stateMachineArn('sfn-invoke') });
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate!.getTime()).toBeGreaterThanOrEqual(execution.startDate!.getTime());
    expect(JSON.parse(execution.output!)).toEqual({
      value: 42,
      mode: 'ok',
      echo: { payload: { received: 42 }, statusCode: 200, version: '$LATEST' },
      deploy: { result: { deployed: true } },
      // The plain Lambda ARN resource gets the whole state input and its result is the task result.
      summary: { keys: ['deploy', 'echo', 'mode', 'value'] },
    });
  });

  it('lets a Catch on the error name handle a function error, with Lambda’s cause document', async () => {
    const execution = await finished(await start('sfn-invoke', { value: 1, mode: 'rollout-fails' }));
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output.outcome).toBe('rolled back');
    expect(output.failure.Error).toBe('RolloutFailed');
    expect(JSON.parse(output.failure.Cause)).toEqual({ errorMessage: 'pods never became ready', errorType: 'RolloutFailed' });
  });

  it('fails the execution with the error name and cause when nothing catches it', async () => {
    const execution = await finished(await start('sfn-invoke', { value: 1, mode: 'crash' }));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    expect(JSON.parse(execution.cause!)).toEqual({ errorMessage: 'boom', errorType: 'TypeError' });
    expect(execution.output).toBeUndefined();
  });

  it('dispatches tasks inside Parallel branches and Map item processors', async () => {
    const execution = await finished(await start('sfn-nested', { items: [1, 2, 3] }));
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual([{ received: 'branch' }, [1, 2, 3]]);
  });

  it('fails (uncatchably) on a resource the emulator does not support, naming it', async () => {
    const execution = await finished(await start('sfn-nested', { unsupported: true }));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'SfnEmulator.UnsupportedResource' });
    expect(execution.cause).toContain('arn:aws:states:::sns:publish');
  });
});

describe('waitForTaskToken', () => {
  it('gives each callback task its own token and resumes on SendTaskSuccess', async () => {
    // 99999999 s (the service maximum) exceeds Node's timer range; it must not time out at once.
    const arn = await start('sfn-approval', { releaseId: 'two-tokens', approvalTimeoutSeconds: 99_999_999 });
    const first = await approvalRequest('two-tokens', 'first');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: first.taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: JSON.stringify({ approver: 'alice' }) }));
    const second = await approvalRequest('two-tokens', 'second');
    const secondToken = second.token!.replace(/^token=/, '');
    expect(secondToken).not.toBe(first.taskToken);
    expect(first.taskToken).toMatch(/^[A-Za-z0-9+/]+=*$/);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: secondToken, output: JSON.stringify({ approver: 'bob' }) }));
    const execution = await finished(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ first: { approver: 'alice' }, second: { approver: 'bob' } });

    // A token can be used once; afterwards the service answers TaskTimedOut ("does not exist anymore").
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: secondToken }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'not a token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    const forged = Buffer.from(first.taskToken!, 'base64');
    forged[forged.length - 1] = (forged.at(-1)! + 1) % 256;
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: forged.toString('base64'), output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('fails the task on SendTaskFailure, caught by a Catch on the error name', async () => {
    const arn = await start('sfn-approval', { releaseId: 'rejected', approvalTimeoutSeconds: 300 });
    const first = await approvalRequest('rejected', 'first');
    await sfn.send(new SendTaskFailureCommand({ taskToken: first.taskToken, error: 'ApprovalRejected', cause: 'not on a Friday' }));
    const execution = await finished(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'rejected', failure: { Error: 'ApprovalRejected', Cause: 'not on a Friday' } });
  });

  it('times out after TimeoutSecondsPath (read from the state input) and then rejects the token as TaskTimedOut', async () => {
    const arn = await start('sfn-approval', { releaseId: 'expires', approvalTimeoutSeconds: 1 });
    const first = await approvalRequest('expires', 'first');
    const execution = await finished(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ outcome: 'expired', failure: { Error: 'States.Timeout' } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    expect((await history(arn)).map((event) => event.type)).toContain('TaskTimedOut');
  });

  it('times out after a static TimeoutSeconds with States.Timeout (not States.TaskFailed)', async () => {
    const execution = await finished(await start('sfn-timeout', {}));
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({ failure: { Error: 'States.Timeout' } });
  });
});

describe('execution lifecycle', () => {
  it('StopExecution aborts the execution and its pending task token', async () => {
    const arn = await start('sfn-approval', { releaseId: 'stopped', approvalTimeoutSeconds: 300 });
    const first = await approvalRequest('stopped', 'first');
    const { stopDate } = await sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'ReleaseCancelled', cause: 'cancelled by test' }));
    expect(stopDate).toBeInstanceOf(Date);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'ReleaseCancelled', cause: 'cancelled by test' });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    const last = (await history(arn)).at(-1);
    expect(last).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'ReleaseCancelled', cause: 'cancelled by test' } });
  });

  it('DescribeExecution of an unknown execution is ExecutionDoesNotExist', async () => {
    const executionArn = `arn:aws:states:us-east-1:${ACCOUNT}:execution:sfn-invoke:nope`;
    const error = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionDoesNotExist);
    expect(error).toMatchObject({ name: 'ExecutionDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });

  it('StartExecution is idempotent for the same name and input while running, ExecutionAlreadyExists otherwise', async () => {
    const input = { releaseId: 'duplicate', approvalTimeoutSeconds: 300 };
    const arn = await start('sfn-approval', input, 'duplicate');
    expect(await start('sfn-approval', input, 'duplicate')).toBe(arn);
    await expect(start('sfn-approval', { ...input, other: true }, 'duplicate')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await expect(start('sfn-approval', input, 'duplicate')).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn: emulator.stateMachineArn('sfn-approval'), statusFilter: 'ABORTED' }));
    expect(aborted.executions?.map((e) => e.name)).toContain('duplicate');
    expect(aborted.executions?.every((e) => e.status === 'ABORTED')).toBe(true);
  });

  it('answers UnknownOperationException for operations it does not implement', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateStateMachine' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toMatch(/#UnknownOperationException$/);
  });
});

describe('GetExecutionHistory', () => {
  it('records readable events in order, with pagination and reverse order', async () => {
    const arn = await finished(await start('sfn-invoke', { value: 7, mode: 'rollout-fails' })).then((e) => e.executionArn!);
    const events = await history(arn);
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    events.forEach((event, index) => expect(event).toMatchObject({ id: index + 1, previousEventId: index }));
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
    expect(events[1]!.stateEnteredEventDetails).toMatchObject({ name: 'Echo' });
    // The task receives the Parameters result: FunctionName plus the resolved Payload.
    expect(JSON.parse(events[2]!.taskScheduledEventDetails!.parameters!)).toEqual({
      FunctionName: functionArn('Echo'),
      Payload: { value: 7, executionId: arn },
    });
    expect(events[9]!.taskFailedEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', error: 'RolloutFailed' });
    expect(events[11]!.stateEnteredEventDetails?.name).toBe('RolledBack');

    const pages: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 5, nextToken }));
      pages.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages.map((event) => event.id)).toEqual(events.map((event) => event.id));

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events?.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'PassStateExited']);
    expect(reversed.nextToken).toBeDefined();
  });
});

describe('close', () => {
  it('aborts running executions and stops the server', async () => {
    const local = await startStepFunctionsEmulator({ port: await freePort(), stateMachines: [{ name: 'sfn-approval', definition: fixture('sfn-approval') }], functions });
    const client = new SFNClient({ region: 'us-east-1', endpoint: local.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(
      new StartExecutionCommand({ stateMachineArn: local.stateMachineArn('sfn-approval'), input: JSON.stringify({ releaseId: 'closing', approvalTimeoutSeconds: 300 }) }),
    );
    await approvalRequest('closing', 'first');
    client.destroy();
    await local.close();
    await expect(fetch(local.url, { method: 'POST' })).rejects.toThrow();
  });
});
