import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStepFunctionsEmulator, type StepFunctionsEmulator } from '../../local/sfn-emulator';
import { RecordingFunctions, resumeDefinition, startEmulator, waitFor } from './fixtures/sfn-resume-harness';

const ACCOUNT = '123456789012';
const second = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
const functions = new RecordingFunctions();
let emulator: StepFunctionsEmulator;
let sfn: SFNClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfn-machines-'));
  emulator = await startStepFunctionsEmulator({
    port: 0,
    dataDir,
    stateMachines: [
      { name: 'sfn-resume', definition: resumeDefinition() },
      { name: 'a-second', definition: second },
    ],
    functions: functions.registry,
  });
  sfn = new SFNClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});

afterAll(async () => {
  sfn?.destroy();
  await emulator?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('state machine operations', () => {
  it('ListStateMachines pages through the registered state machines by name', async () => {
    const first = await sfn.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(first.stateMachines).toEqual([
      { stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:a-second`, name: 'a-second', type: 'STANDARD', creationDate: expect.any(Date) },
    ]);
    const rest = await sfn.send(new ListStateMachinesCommand({ maxResults: 1, nextToken: first.nextToken }));
    expect(rest.stateMachines?.map((machine) => machine.name)).toEqual(['sfn-resume']);
    expect(rest.nextToken).toBeUndefined();
  });

  it('DescribeStateMachine returns the definition as registered, ACTIVE and STANDARD', async () => {
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: emulator.stateMachineArn('sfn-resume') }));
    expect(machine).toMatchObject({
      stateMachineArn: emulator.stateMachineArn('sfn-resume'),
      name: 'sfn-resume',
      status: 'ACTIVE',
      type: 'STANDARD',
      definition: resumeDefinition(),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn-emulator`,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    });
    expect(machine.creationDate).toBeInstanceOf(Date);
    expect(machine.revisionId).toMatch(/^[0-9a-f]{64}$/);
    const unknown = sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nope` }));
    await expect(unknown).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('DescribeStateMachineForExecution returns the state machine of an execution', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('a-second'), input: '{}' }));
    const machine = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(machine).toMatchObject({ stateMachineArn: emulator.stateMachineArn('a-second'), name: 'a-second', definition: second });
    expect(machine.updateDate).toBeInstanceOf(Date);
  });
});

const awsCli = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'aws')).find((path) => existsSync(path));

/** The AWS CLI (v1 here; botocore parses strictly by the service model) against the emulator. */
async function cli(url: string, ...args: string[]): Promise<Record<string, unknown>> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: tmpdir(),
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    // Keep the developer's own configuration out of the test.
    AWS_CONFIG_FILE: join(tmpdir(), 'sfn-emulator-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'sfn-emulator-no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const { stdout } = await promisify(execFile)(awsCli!, ['stepfunctions', ...args, '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'], { env });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe.skipIf(!awsCli)('the AWS CLI (skipped when `aws` is not on PATH)', () => {
  it('lists and describes state machines and reads the history of a resumed execution', async () => {
    const listed = await cli(emulator.url, 'list-state-machines');
    expect((listed['stateMachines'] as Array<{ name: string }>).map((machine) => machine.name)).toEqual(['a-second', 'sfn-resume']);
    const described = await cli(emulator.url, 'describe-state-machine', '--state-machine-arn', emulator.stateMachineArn('sfn-resume'));
    expect(described).toMatchObject({ name: 'sfn-resume', status: 'ACTIVE', type: 'STANDARD', definition: resumeDefinition() });

    // An execution resumed after a restart: its history (with the emulator's ExecutionResumed event) parses.
    const dir = mkdtempSync(join(tmpdir(), 'sfn-cli-'));
    const local = new RecordingFunctions();
    let running = await startEmulator({ dataDir: dir, functions: local.registry });
    try {
      const { executionArn } = await running.sfn.send(
        new StartExecutionCommand({ stateMachineArn: running.emulator.stateMachineArn('sfn-resume'), input: JSON.stringify({ id: 'cli', approvalTimeoutSeconds: 60, pauseSeconds: 0 }) }),
      );
      await waitFor(() => local.approvals[0], 'the approval request');
      await running.stop();
      running = await startEmulator({ dataDir: dir, functions: local.registry });
      const events = (await cli(running.emulator.url, 'get-execution-history', '--execution-arn', executionArn!))['events'] as Array<{ id: number; type: string }>;
      expect(events.map((event) => event.type)).toContain('ExecutionResumed');
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
      const forExecution = await cli(running.emulator.url, 'describe-state-machine-for-execution', '--execution-arn', executionArn!);
      expect(forExecution).toMatchObject({ name: 'sfn-resume', definition: resumeDefinition() });
    } finally {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
