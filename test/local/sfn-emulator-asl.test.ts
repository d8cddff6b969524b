import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { applyDefinitionSubstitutions, startStepFunctionsEmulator, type LambdaFunctionRegistry } from '../../local/sfn-emulator';

describe('applyDefinitionSubstitutions', () => {
  it('replaces every ${Name} placeholder as plain text', () => {
    const asl = '{"A": "${Fn}", "B": "${Fn}:$LATEST", "C": "$.x", "D": "States.Format(\'{}\', $.y)"}';
    expect(applyDefinitionSubstitutions(asl, { Fn: 'arn:fn' })).toBe('{"A": "arn:fn", "B": "arn:fn:$LATEST", "C": "$.x", "D": "States.Format(\'{}\', $.y)"}');
  });

  it('throws naming every placeholder without a value', () => {
    expect(() => applyDefinitionSubstitutions('"${A}" "${B}" "${C}"', { B: 'b' })).toThrow('${A}, ${C}');
  });
});

const fn = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const approvals = new Map<string, string>();
const outcomes = new Map<string, { outcome: string; failure?: { Error: string } }>();
const invoked: string[] = [];

const functions: LambdaFunctionRegistry = {
  [fn('Deploy')]: async (payload) => ({ deployed: (payload as { environment: string }).environment }),
  [fn('Rollback')]: async () => ({ rolledBack: true }),
  [fn('RequestApproval')]: async (payload) => {
    const { releaseId, taskToken } = payload as { releaseId: string; taskToken: string };
    invoked.push(releaseId);
    approvals.set(releaseId, taskToken);
    return {};
  },
  [fn('RecordOutcome')]: async (payload) => {
    const { releaseId, ...rest } = payload as { releaseId: string; outcome: string };
    outcomes.set(releaseId, rest);
    return {};
  },
};

let emulator: Awaited<ReturnType<typeof startStepFunctionsEmulator>>;
let sfn: SFNClient;

beforeAll(async () => {
  const release = applyDefinitionSubstitutions(readFileSync(new URL('../../statemachines/release.asl.json', import.meta.url), 'utf8'), {
    DeployFunctionArn: fn('Deploy'),
    RollbackFunctionArn: fn('Rollback'),
    RequestApprovalFunctionArn: fn('RequestApproval'),
    RecordOutcomeFunctionArn: fn('RecordOutcome'),
  });
  emulator = await startStepFunctionsEmulator({ port: await freePort(), stateMachines: [{ name: 'release', definition: release }], functions });
  sfn = new SFNClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  sfn?.destroy();
  await emulator?.close();
});

async function poll<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met in time');
}

async function startRelease(releaseId: string, approvalTimeoutSeconds: unknown): Promise<string> {
  const input = { releaseId, stagingEnvironment: 'staging', productionEnvironment: 'production', approvalTimeoutSeconds };
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('release'), name: releaseId, input: JSON.stringify(input) }));
  return executionArn!;
}

function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return poll(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

describe('statemachines/release.asl.json on the emulator', () => {
  it('deploys to production after approval', async () => {
    const arn = await startRelease('rel-approved', 3600);
    const token = await poll(() => approvals.get('rel-approved'));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'alice' }) }));
    expect((await finished(arn)).status).toBe('SUCCEEDED');
    expect(outcomes.get('rel-approved')?.outcome).toBe('succeeded');
  });

  it('records a rejection', async () => {
    const arn = await startRelease('rel-rejected', 3600);
    const token = await poll(() => approvals.get('rel-rejected'));
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejected', cause: 'no' }));
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'ReleaseRejected' });
    expect(outcomes.get('rel-rejected')).toMatchObject({ outcome: 'rejected', failure: { Error: 'ApprovalRejected' } });
  });

  it('expires after approvalTimeoutSeconds (TimeoutSecondsPath on the state input)', async () => {
    const arn = await startRelease('rel-expired', 1);
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired' });
    expect(outcomes.get('rel-expired')).toMatchObject({ outcome: 'expired', failure: { Error: 'States.Timeout' } });
  });

  it('fails with States.Runtime, without calling the function, when the timeout is not a positive integer', async () => {
    const arn = await startRelease('rel-bad-timeout', 0);
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(invoked).not.toContain('rel-bad-timeout');
  });
});
