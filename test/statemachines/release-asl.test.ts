import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';

// statemachines/release.asl.json is the per-environment PROMOTION machine: one execution per environment of a release.
const text = readFileSync(new URL('../../statemachines/release.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(text) as { StartAt: string; States: Record<string, Record<string, unknown>> };
const states = definition.States;

type Catcher = { ErrorEquals: string[]; Next: string; ResultPath?: string };
const catchesOf = (name: string): Array<[string, string]> => ((states[name]?.Catch ?? []) as Catcher[]).map((c) => [c.ErrorEquals.join('|'), c.Next]);

/** Every state reachable from `from` through Next, Default, Choices and Catch. */
function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = states[name] ?? {};
    const next = [
      state.Next,
      state.Default,
      ...((state.Choices ?? []) as Array<{ Next: string }>).map((c) => c.Next),
      ...((state.Catch ?? []) as Catcher[]).map((c) => c.Next),
    ];
    for (const target of next) if (typeof target === 'string') queue.push(target);
  }
  return seen;
}

describe('statemachines/release.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the five function placeholders CDK substitutes', () => {
    expect([...new Set(text.match(/\$\{\w+\}/g))].sort()).toEqual([
      '${DeployFunctionArn}',
      '${RecordOutcomeFunctionArn}',
      '${RequestApprovalFunctionArn}',
      '${RollbackFunctionArn}',
      '${RunChecksFunctionArn}',
    ]);
  });

  it('reads approval → pre-deployment checks → deploy → post-deployment checks → record with readable state names', () => {
    expect(definition.StartAt).toBe('NeedsApproval');
    expect(states.NeedsApproval?.Type).toBe('Choice');
    expect(states.NeedsApproval?.Default).toBe('WaitForApproval');
    expect(states.WaitForApproval?.Next).toBe('RunPreDeploymentChecks');
    expect(states.RunPreDeploymentChecks?.Next).toBe('Deploy');
    expect(states.Deploy?.Next).toBe('IsFrozen');
    expect(states.IsFrozen?.Default).toBe('RunPostDeploymentChecks');
    expect(states.RunPostDeploymentChecks?.Next).toBe('RecordSucceeded');
    expect(states.RecordSucceeded?.Next).toBe('PromotionSucceeded');
    expect(states.PromotionSucceeded?.Type).toBe('Succeed');
    // Every state is reachable from the start: nothing left over from an older shape.
    expect([...reachable(definition.StartAt)].sort()).toEqual(Object.keys(states).sort());
  });

  it('skips the approval only when the input says skipApproval: true (and tolerates its absence)', () => {
    const choices = states.NeedsApproval?.Choices as Array<{ And: Array<Record<string, unknown>>; Next: string }>;
    expect(choices).toHaveLength(1);
    expect(choices[0]?.Next).toBe('RunPreDeploymentChecks');
    expect(choices[0]?.And).toEqual([
      { Variable: '$.skipApproval', IsPresent: true },
      { Variable: '$.skipApproval', BooleanEquals: true },
    ]);
  });

  it('waits for approval on a task token with a timeout and catches every way the wait can end', () => {
    const wait = states.WaitForApproval ?? {};
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.approvalTimeoutSeconds');
    expect(wait.Parameters).toMatchObject({
      FunctionName: '${RequestApprovalFunctionArn}',
      Payload: { 'releaseId.$': '$.releaseId', 'environment.$': '$.environment', 'timeoutSeconds.$': '$.approvalTimeoutSeconds', 'taskToken.$': '$$.Task.Token' },
    });
    expect(catchesOf('WaitForApproval')).toEqual([
      ['ApprovalRejected', 'RecordRejected'],
      ['States.Timeout', 'RecordExpired'],
      ['ReleaseCancelled', 'RecordCancelled'],
      ['ReleaseSuperseded', 'RecordSuperseded'],
      ['States.ALL', 'RecordFailed'],
    ]);
  });

  it('runs the pre- and post-deployment checks through the run-checks function with their phase', () => {
    for (const [name, phase] of [
      ['RunPreDeploymentChecks', 'pre'],
      ['RunPostDeploymentChecks', 'post'],
    ] as const) {
      expect(states[name]?.Parameters).toEqual({
        FunctionName: '${RunChecksFunctionArn}',
        Payload: { 'releaseId.$': '$.releaseId', 'environment.$': '$.environment', phase },
      });
    }
  });

  it('stops before anything changes when a pre-deployment check fails: RecordFailed, no rollback', () => {
    expect(catchesOf('RunPreDeploymentChecks')).toEqual([['States.ALL', 'RecordFailed']]);
    expect(states.RecordFailed?.Next).toBe('PromotionFailed');
    expect(states.PromotionFailed?.Type).toBe('Fail');
  });

  it('rolls the environment back when its rollout fails; any other deploy error is recorded without a rollback', () => {
    expect(catchesOf('Deploy')).toEqual([
      ['RolloutFailed', 'RollBack'],
      ['States.ALL', 'RecordFailed'],
    ]);
    expect(states.RollBack?.Next).toBe('RecordFailed');
    expect((states.RollBack?.Parameters as { Payload: Record<string, unknown> }).Payload['failure.$']).toBe('$.failure');
  });

  it('rolls the environment back when a post-deployment check fails (or cannot run)', () => {
    expect(catchesOf('RunPostDeploymentChecks')).toEqual([['States.ALL', 'RollBack']]);
  });

  it('records a failed rollback, then ends the promotion failed', () => {
    expect(catchesOf('RollBack')).toEqual([['States.ALL', 'RecordRollbackFailed']]);
    expect((states.RollBack?.Catch as Catcher[])[0]?.ResultPath).toBe('$.rollbackFailure');
    expect(states.RecordRollbackFailed?.Next).toBe('RecordFailed');
    expect(catchesOf('RecordRollbackFailed')).toEqual([['States.ALL', 'RecordFailed']]);
  });

  it('waits out a freeze and deploys again', () => {
    const choices = states.IsFrozen?.Choices as Array<{ Variable: string; IsPresent: boolean; Next: string }>;
    expect(choices).toEqual([{ Variable: '$.deploy.result.frozenUntil', IsPresent: true, Next: 'WaitForFreeze' }]);
    expect(states.WaitForFreeze).toMatchObject({ Type: 'Wait', TimestampPath: '$.deploy.result.frozenUntil', Next: 'Deploy' });
  });

  it('records each ending with the matching outcome and ends in a matching state', () => {
    const endings: Array<[string, string, string]> = [
      ['RecordSucceeded', 'succeeded', 'PromotionSucceeded'],
      ['RecordRejected', 'rejected', 'PromotionRejected'],
      ['RecordExpired', 'expired', 'ApprovalExpired'],
      ['RecordCancelled', 'cancelled', 'PromotionCancelled'],
      ['RecordSuperseded', 'superseded', 'PromotionSuperseded'],
      ['RecordFailed', 'failed', 'PromotionFailed'],
    ];
    for (const [name, outcome, next] of endings) {
      const state = states[name] ?? {};
      const parameters = state.Parameters as { FunctionName: string; Payload: Record<string, unknown> };
      expect(parameters.FunctionName, name).toBe('${RecordOutcomeFunctionArn}');
      expect(parameters.Payload, name).toMatchObject({ 'releaseId.$': '$.releaseId', 'environment.$': '$.environment', outcome });
      if (outcome !== 'succeeded') expect(parameters.Payload['failure.$'], name).toBe('$.failure');
      expect(state.Next, name).toBe(next);
    }
  });

  it('passes the environment to every function it calls', () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      expect((state.Parameters as { Payload: Record<string, unknown> }).Payload['environment.$'], name).toBe('$.environment');
    }
  });

  it('uses JSONPath only (the local runner cannot execute JSONata)', () => {
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('{%');
  });
});
