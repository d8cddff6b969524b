import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { applyDefinitionSubstitutions, startStepFunctionsEmulator, type LambdaFunctionRegistry, type StepFunctionsEmulator } from '../../local/sfn-emulator';
import { finished, history, sleep, waitFor } from './fixtures/sfn-resume-harness';

/** The scenario on statemachines/release.asl.json (one promotion per environment): a promotion waiting for approval survives a restart. */

const fn = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const release = applyDefinitionSubstitutions(readFileSync(new URL('../../statemachines/release.asl.json', import.meta.url), 'utf8'), {
  DeployFunctionArn: fn('Deploy'),
  RollbackFunctionArn: fn('Rollback'),
  RequestApprovalFunctionArn: fn('RequestApproval'),
  RecordOutcomeFunctionArn: fn('RecordOutcome'),
  RunChecksFunctionArn: fn('RunChecks'),
});

class ReleaseFunctions {
  readonly deploys: Array<{ environment: string; at: number }> = [];
  readonly checks: string[] = [];
  readonly approvals: string[] = [];
  readonly outcomes: string[] = [];
  /** Deploys answer "frozen until" this instant once, then deploy normally. */
  frozenUntil: string | undefined;

  readonly registry: LambdaFunctionRegistry = {
    [fn('Deploy')]: async (payload) => {
      const { environment } = payload as { environment: string };
      this.deploys.push({ environment, at: Date.now() });
      const frozenUntil = this.frozenUntil;
      this.frozenUntil = undefined;
      return frozenUntil ? { frozenUntil } : { deployed: environment };
    },
    [fn('RunChecks')]: async (payload) => {
      this.checks.push((payload as { phase: string }).phase);
      return { checks: [] };
    },
    [fn('Rollback')]: async () => ({ rolledBack: true }),
    [fn('RequestApproval')]: async (payload) => {
      this.approvals.push((payload as { taskToken: string }).taskToken);
      return {};
    },
    [fn('RecordOutcome')]: async (payload) => {
      this.outcomes.push((payload as { outcome: string }).outcome);
      return {};
    },
  };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function emulatorOn(dataDir: string, functions: ReleaseFunctions): Promise<{ emulator: StepFunctionsEmulator; sfn: SFNClient }> {
  const emulator = await startStepFunctionsEmulator({ port: 0, stateMachines: [{ name: 'release', definition: release }], functions: functions.registry, dataDir });
  const sfn = new SFNClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  cleanup.push(() => emulator.close(), () => sfn.destroy());
  return { emulator, sfn };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-release-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One promotion: the release to one environment, as advanceRelease starts it. */
async function startPromotion(sfn: SFNClient, emulator: StepFunctionsEmulator, releaseId: string, environment: string, skipApproval = false): Promise<string> {
  const input = { releaseId, environment, approvalTimeoutSeconds: 3600, skipApproval };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('release'), name: `${releaseId}-${environment}`, input: JSON.stringify(input) }),
  );
  return executionArn!;
}

describe('release.asl.json across an emulator restart', () => {
  it('approves a production promotion that was waiting for approval before the restart', async () => {
    const dir = tempDir();
    const before = new ReleaseFunctions();
    const first = await emulatorOn(dir, before);
    const arn = await startPromotion(first.sfn, first.emulator, 'rel-restart', 'production');
    const token = await waitFor(() => before.approvals[0], 'the approval request');
    await first.emulator.close();

    const after = new ReleaseFunctions();
    const second = await emulatorOn(dir, after);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'alice' }) }));
    expect((await finished(second.sfn, arn)).status).toBe('SUCCEEDED');
    expect(before.deploys).toEqual([]);
    expect(after.approvals).toEqual([]);
    expect(after.checks).toEqual(['pre', 'post']);
    expect(after.deploys.map((deploy) => deploy.environment)).toEqual(['production']);
    expect(after.outcomes).toEqual(['succeeded']);
  });

  it('continues at once after a freeze Wait (TimestampPath) that ended while the emulator was down', async () => {
    const dir = tempDir();
    const before = new ReleaseFunctions();
    before.frozenUntil = new Date(Date.now() + 1000).toISOString();
    const first = await emulatorOn(dir, before);
    const arn = await startPromotion(first.sfn, first.emulator, 'rel-frozen', 'staging', true);
    await waitFor(async () => (await history(first.sfn, arn)).find((event) => event.type === 'WaitStateEntered'), 'WaitForFreeze');
    await first.emulator.close();
    await sleep(1200);

    const after = new ReleaseFunctions();
    const restartedAt = Date.now();
    const second = await emulatorOn(dir, after);
    const redeploy = await waitFor(() => after.deploys[0], 'the staging deploy after the freeze');
    expect(redeploy.environment).toBe('staging');
    expect(redeploy.at - restartedAt).toBeLessThan(500);
    expect((await finished(second.sfn, arn)).status).toBe('SUCCEEDED');
    expect(before.checks).toEqual(['pre']);
    expect(after.checks).toEqual(['post']);
    expect(after.outcomes).toEqual(['succeeded']);
  });
});
