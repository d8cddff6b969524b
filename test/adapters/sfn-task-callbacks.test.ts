import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsTaskCallbacks } from '../../functions/adapters/sfn/workflow';
import { readAwsConfig } from '../../functions/config';
import { startStepFunctionsEmulator, type StepFunctionsEmulator } from '../../local/sfn-emulator';

type Loader = ConstructorParameters<typeof StepFunctionsTaskCallbacks>[0];

/** A token in the emulator's format that it never issued: resuming it answers TaskDoesNotExist. */
const unknownToken = () => Buffer.concat([Buffer.from([0x01, 0x4c, 0x53, 0x46]), randomBytes(92)]).toString('base64');

describe('StepFunctionsTaskCallbacks.warm (a closing vote loads the client during its write)', () => {
  let emulator: StepFunctionsEmulator;
  beforeAll(async () => {
    emulator = await startStepFunctionsEmulator({ port: 0, stateMachines: [], functions: {} });
  });
  afterAll(() => emulator.close());

  it('loads the client ahead, and the resume that follows uses it', async () => {
    const callbacks = StepFunctionsTaskCallbacks.from(readAwsConfig({ AWS_REGION: 'us-east-1', SFN_ENDPOINT: emulator.url }));
    callbacks.warm();
    await expect(callbacks.resume(unknownToken(), { decision: 'approved' })).resolves.toBe('gone');
  });

  it('leaves a failed load to the call that needs the client: warm() neither throws nor rejects unhandled', async () => {
    let loads = 0;
    const failing: Loader = () => {
      loads += 1;
      return Promise.reject(new Error('module not found'));
    };
    const callbacks = new StepFunctionsTaskCallbacks(failing);
    expect(() => callbacks.warm()).not.toThrow();
    await expect(callbacks.resume(unknownToken(), {})).rejects.toThrow('module not found');
    expect(loads).toBe(2);
  });
});
