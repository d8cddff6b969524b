import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { RecordingFunctions, resumeDefinition, waitFor } from './fixtures/sfn-resume-harness';

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

const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => {
  try {
    return require('node:fs').statSync(join(dir, 'aws')).isFile() as boolean;
  } catch {
    return false;
  }
});
