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
/** What each promotion (by execution name) called, in order: `RequestApproval`, `RunChecks:pre`, `Deploy`, ... */
const calls = new Map<string, string[]>();
const approvals = new Map<string, string>();
const outcomes = new Map<string, { outcome: string; failure?: { Error: string; Cause?: string } }>();
const rollbacks = new Map<string, Array<Record<string, unknown>>>();
/** Promotions whose step fails, by execution name: the check phase, the rollout, the rollback. */
const failing = { preChecks: new Set<string>(), postChecks: new Set<string>(), rollout: new Set<string>(), rollback: new Set<string>() };

const failure = (name: string, message: string): Error => Object.assign(new Error(message), { name });
const key = (payload: unknown): string => {
  const { releaseId, environment } = payload as { releaseId: string; environment: string };
  return `${releaseId}-${environment}`;
};
const called = (payload: unknown, what: string): void => {
  calls.set(key(payload), [...(calls.get(key(payload)) ?? []), what]);
};

const functions: LambdaFunctionRegistry = {
  [fn('Deploy')]: async (payload) => {
    called(payload, 'Deploy');
    if (failing.rollout.has(key(payload))) throw failure('RolloutFailed', 'web did not become ready');
    return { deployed: (payload as { environment: string }).environment };
  },
  [fn('RunChecks')]: async (payload) => {
    const { phase } = payload as { phase: 'pre' | 'post' };
    called(payload, `RunChecks:${phase}`);
    if ((phase === 'pre' ? failing.preChecks : failing.postChecks).has(key(payload))) throw failure('CheckFailed', `${phase}-deployment check "smoke" (http) failed: 500`);
    return { phase, checks: [] };
  },
  [fn('Rollback')]: async (payload) => {
    const input = payload as Record<string, unknown>;
    called(payload, input.rollbackFailure ? 'RecordRollbackFailed' : 'Rollback');
    rollbacks.set(key(payload), [...(rollbacks.get(key(payload)) ?? []), input]);
    // RecordRollbackFailed: the runtime records it and returns the failure RecordFailed ends with.
    if (input.rollbackFailure) return { Error: 'RollbackFailed', Cause: 'the rollback of web did not finish' };
    if (failing.rollback.has(key(payload))) throw failure('RolloutFailed', 'the restored image did not become ready');
    return { rolledBack: true };
  },
  [fn('RequestApproval')]: async (payload) => {
    called(payload, 'RequestApproval');
    approvals.set(key(payload), (payload as { taskToken: string }).taskToken);
    return {};
  },
  [fn('RecordOutcome')]: async (payload) => {
    const { releaseId: _releaseId, environment: _environment, ...rest } = payload as { releaseId: string; environment: string; outcome: string };
    called(payload, `RecordOutcome:${rest.outcome}`);
    outcomes.set(key(payload), rest);
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
    RunChecksFunctionArn: fn('RunChecks'),
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

/** Starts one promotion (one environment of a release) with the input advanceRelease gives it. */
async function startPromotion(releaseId: string, options: { environment?: string; approvalTimeoutSeconds?: unknown; skipApproval?: boolean } = {}): Promise<string> {
  const environment = options.environment ?? 'production';
  const input = { releaseId, environment, approvalTimeoutSeconds: options.approvalTimeoutSeconds ?? 3600, skipApproval: options.skipApproval ?? false };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('release'), name: `${releaseId}-${environment}`, input: JSON.stringify(input) }),
  );
  return executionArn!;
}

function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return poll(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

async function approve(name: string): Promise<void> {
  const token = await poll(() => approvals.get(name));
  await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: ['alice'] }) }));
}

describe('statemachines/release.asl.json on the emulator', () => {
  it('after approval runs the pre-deployment checks, deploys, verifies and records the success', async () => {
    const arn = await startPromotion('rel-approved');
    await approve('rel-approved-production');
    expect((await finished(arn)).status).toBe('SUCCEEDED');
    expect(calls.get('rel-approved-production')).toEqual(['RequestApproval', 'RunChecks:pre', 'Deploy', 'RunChecks:post', 'RecordOutcome:succeeded']);
    expect(outcomes.get('rel-approved-production')).toEqual({ outcome: 'succeeded' });
  });

  it('skips the approval when the input says skipApproval', async () => {
    const arn = await startPromotion('rel-skip', { environment: 'staging', skipApproval: true });
    expect((await finished(arn)).status).toBe('SUCCEEDED');
    expect(calls.get('rel-skip-staging')).toEqual(['RunChecks:pre', 'Deploy', 'RunChecks:post', 'RecordOutcome:succeeded']);
  });

  it('asks for approval when the input has no skipApproval at all', async () => {
    const input = { releaseId: 'rel-no-flag', environment: 'production', approvalTimeoutSeconds: 3600 };
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn('release'), name: 'rel-no-flag-production', input: JSON.stringify(input) }));
    await approve('rel-no-flag-production');
    expect((await finished(executionArn!)).status).toBe('SUCCEEDED');
    expect(calls.get('rel-no-flag-production')?.[0]).toBe('RequestApproval');
  });

  it('records a rejection', async () => {
    const arn = await startPromotion('rel-rejected');
    const token = await poll(() => approvals.get('rel-rejected-production'));
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejected', cause: 'no' }));
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    expect(outcomes.get('rel-rejected-production')).toMatchObject({ outcome: 'rejected', failure: { Error: 'ApprovalRejected' } });
    expect(calls.get('rel-rejected-production')).toEqual(['RequestApproval', 'RecordOutcome:rejected']);
  });

  it('records a cancellation and a supersession that end the wait', async () => {
    for (const [id, error, outcome, ending] of [
      ['rel-cancelled', 'ReleaseCancelled', 'cancelled', 'PromotionCancelled'],
      ['rel-superseded', 'ReleaseSuperseded', 'superseded', 'PromotionSuperseded'],
    ] as const) {
      const arn = await startPromotion(id);
      const token = await poll(() => approvals.get(`${id}-production`));
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error, cause: 'stopped' }));
      expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: ending });
      expect(outcomes.get(`${id}-production`)).toMatchObject({ outcome, failure: { Error: error } });
    }
  });

  it('expires after approvalTimeoutSeconds (TimeoutSecondsPath on the state input)', async () => {
    const arn = await startPromotion('rel-expired', { approvalTimeoutSeconds: 1 });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired' });
    expect(outcomes.get('rel-expired-production')).toMatchObject({ outcome: 'expired', failure: { Error: 'States.Timeout' } });
  });

  it('fails with States.Runtime, without calling the function, when the timeout is not a positive integer', async () => {
    const arn = await startPromotion('rel-bad-timeout', { approvalTimeoutSeconds: 0 });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(calls.get('rel-bad-timeout-production') ?? []).not.toContain('RequestApproval');
  });

  it('records a failed pre-deployment check without deploying or rolling back', async () => {
    failing.preChecks.add('rel-pre-fails-production');
    const arn = await startPromotion('rel-pre-fails', { skipApproval: true });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'PromotionFailed' });
    expect(calls.get('rel-pre-fails-production')).toEqual(['RunChecks:pre', 'RecordOutcome:failed']);
    expect(outcomes.get('rel-pre-fails-production')).toMatchObject({ outcome: 'failed', failure: { Error: 'CheckFailed' } });
  });

  it('rolls back a failed post-deployment check, passing the failure, then records the promotion failed', async () => {
    failing.postChecks.add('rel-post-fails-production');
    const arn = await startPromotion('rel-post-fails', { skipApproval: true });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'PromotionFailed' });
    expect(calls.get('rel-post-fails-production')).toEqual(['RunChecks:pre', 'Deploy', 'RunChecks:post', 'Rollback', 'RecordOutcome:failed']);
    expect(rollbacks.get('rel-post-fails-production')?.[0]).toMatchObject({ failure: { Error: 'CheckFailed', Cause: expect.stringContaining('smoke') } });
    expect(outcomes.get('rel-post-fails-production')).toMatchObject({ outcome: 'failed', failure: { Error: 'CheckFailed' } });
  });

  it('rolls back a failed rollout without running the post-deployment checks', async () => {
    failing.rollout.add('rel-rollout-fails-production');
    const arn = await startPromotion('rel-rollout-fails', { skipApproval: true });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'PromotionFailed' });
    expect(calls.get('rel-rollout-fails-production')).toEqual(['RunChecks:pre', 'Deploy', 'Rollback', 'RecordOutcome:failed']);
    expect(rollbacks.get('rel-rollout-fails-production')?.[0]).toMatchObject({ failure: { Error: 'RolloutFailed' } });
  });

  it('records a failed rollback and ends failed with the rollback failure as the reason', async () => {
    failing.rollout.add('rel-rollback-fails-production');
    failing.rollback.add('rel-rollback-fails-production');
    const arn = await startPromotion('rel-rollback-fails', { skipApproval: true });
    expect(await finished(arn)).toMatchObject({ status: 'FAILED', error: 'PromotionFailed' });
    expect(calls.get('rel-rollback-fails-production')).toEqual(['RunChecks:pre', 'Deploy', 'Rollback', 'RecordRollbackFailed', 'RecordOutcome:failed']);
    expect(rollbacks.get('rel-rollback-fails-production')?.[1]).toMatchObject({ rollbackFailure: { Error: 'RolloutFailed' } });
    expect(outcomes.get('rel-rollback-fails-production')).toEqual({ outcome: 'failed', failure: { Error: 'RollbackFailed', Cause: 'the rollback of web did not finish' } });
  });
});
