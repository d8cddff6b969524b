import { DescribeExecutionCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, RecordingFunctions, startEmulator, waitFor, type Running } from './fixtures/sfn-resume-harness';

const functions = new RecordingFunctions();
let local: Running;
/** One attempt per call, so every HTTP request is visible to the test. */
let once: SFNClient;

beforeAll(async () => {
  local = await startEmulator({ functions: functions.registry });
  once = new SFNClient({ region: 'us-east-1', endpoint: local.emulator.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterAll(async () => {
  once?.destroy();
  await local?.stop();
});

async function waitingExecution(id: string): Promise<{ executionArn: string; token: string }> {
  const { executionArn } = await local.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: local.emulator.stateMachineArn('sfn-resume'),
      name: id,
      input: JSON.stringify({ id, approvalTimeoutSeconds: 60, pauseSeconds: 0 }),
    }),
  );
  const token = await waitFor(() => functions.approvals.find((request) => request.id === id)?.taskToken, `approval of ${id}`);
  return { executionArn: executionArn!, token };
}

async function control(method: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${local.emulator.url}/_emulator/faults`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('fault switch', () => {
  it('fails exactly `count` calls of the armed operations with ServiceUnavailable, then the token still works', async () => {
    const { executionArn, token } = await waitingExecution('unavailable');
    local.emulator.injectFaults({ operations: ['SendTaskSuccess', 'SendTaskFailure'], count: 2, error: 'ServiceUnavailable' });
    const success = (): Promise<unknown> => once.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    for (let call = 0; call < 2; call++) {
      await expect(success()).rejects.toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
      // Other operations are not affected, and the failed call changed nothing.
      expect((await once.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    }
    await success();
    expect(JSON.parse((await finished(local.sfn, executionArn)).output!)).toMatchObject({ approval: { ok: true } });
  });

  it('answers ThrottlingException like the service (HTTP 400), which the SDK retries by default', async () => {
    const { executionArn, token } = await waitingExecution('throttled');
    local.emulator.injectFaults({ operations: ['SendTaskSuccess'], count: 1, error: 'ThrottlingException' });
    await expect(once.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    // The default client makes up to 3 attempts: an armed failure is absorbed by its retries.
    local.emulator.injectFaults({ operations: ['SendTaskSuccess'], count: 1, error: 'ThrottlingException' });
    const response = await local.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    expect(response.$metadata.attempts).toBe(2);
    expect((await finished(local.sfn, executionArn)).status).toBe('SUCCEEDED');
  });

  it('resets the connection without answering', async () => {
    const { executionArn, token } = await waitingExecution('reset');
    local.emulator.injectFaults({ operations: ['SendTaskSuccess'], count: 1, error: 'connection-reset' });
    await expect(once.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ code: 'ECONNRESET' });
    await once.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    expect((await finished(local.sfn, executionArn)).status).toBe('SUCCEEDED');
  });

  it('is armed, shown and cleared over HTTP at /_emulator/faults', async () => {
    expect(await control('GET')).toEqual({ status: 200, body: { armed: null } });
    const armed = await control('PUT', { operations: ['StartExecution'], count: 3, error: 'InternalFailure' });
    expect(armed).toEqual({ status: 200, body: { armed: { operations: ['StartExecution'], remaining: 3, error: 'InternalFailure' } } });
    const start = once.send(new StartExecutionCommand({ stateMachineArn: local.emulator.stateMachineArn('sfn-resume'), input: '{}' }));
    await expect(start).rejects.toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    expect((await control('GET')).body).toEqual({ armed: { operations: ['StartExecution'], remaining: 2, error: 'InternalFailure' } });
    expect(await control('DELETE')).toEqual({ status: 200, body: { armed: null } });
    expect((await control('GET')).body).toEqual({ armed: null });

    expect((await control('PUT', { operations: ['SendTaskSucess'], count: 1, error: 'ServiceUnavailable' })).status).toBe(400);
    expect((await control('PUT', { count: 0, error: 'ServiceUnavailable' })).status).toBe(400);
    expect((await control('POST')).status).toBe(405);
    expect((await control('GET')).body).toEqual({ armed: null });
  });

  it('applies to every operation when `operations` is omitted, until cleared', async () => {
    local.emulator.injectFaults({ count: 100, error: 'ServiceUnavailable' });
    const describeUnknown = once.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sfn-resume:none' }));
    await expect(describeUnknown).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    local.emulator.clearFaults();
    await expect(once.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sfn-resume:none' }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
  });
});
