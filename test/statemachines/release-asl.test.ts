import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';

const text = readFileSync(new URL('../../statemachines/release.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(text) as { StartAt: string; States: Record<string, Record<string, unknown>> };
const states = definition.States;

describe('statemachines/release.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the four function placeholders CDK substitutes', () => {
    expect([...new Set(text.match(/\$\{\w+\}/g))].sort()).toEqual([
      '${DeployFunctionArn}',
      '${RecordOutcomeFunctionArn}',
      '${RequestApprovalFunctionArn}',
      '${RollbackFunctionArn}',
    ]);
  });

  it('reads build → stage → approval → prod with readable state names', () => {
    expect(definition.StartAt).toBe('IsRollback');
    expect(states.IsRollback?.Default).toBe('DeployToStaging');
    expect(states.DeployToStaging?.Next).toBe('IsStagingFrozen');
    expect(states.IsStagingFrozen?.Default).toBe('WaitForProdApproval');
    expect(states.WaitForProdApproval?.Next).toBe('DeployToProduction');
    expect(states.DeployToProduction?.Next).toBe('IsProductionFrozen');
    expect(states.IsProductionFrozen?.Default).toBe('RecordSucceeded');
  });

  it('waits for approval on a task token with a timeout and catches every way the wait can end', () => {
    const wait = states.WaitForProdApproval ?? {};
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.approvalTimeoutSeconds');
    expect(JSON.stringify(wait.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    const catches = (wait.Catch as Array<{ ErrorEquals: string[]; Next: string }>).map((c) => [c.ErrorEquals[0], c.Next]);
    expect(catches).toEqual([
      ['ApprovalRejected', 'RecordRejected'],
      ['States.Timeout', 'RecordExpired'],
      ['ReleaseCancelled', 'RecordCancelled'],
      ['ReleaseSuperseded', 'RecordSuperseded'],
      ['States.ALL', 'RecordFailed'],
    ]);
  });

  it('rolls production back when its rollout fails', () => {
    const catches = states.DeployToProduction?.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
    expect(catches[0]).toMatchObject({ ErrorEquals: ['RolloutFailed'], Next: 'RollBackProduction' });
    expect(states.RollBackProduction?.Next).toBe('RecordFailed');
  });

  it('uses JSONPath only (the local runner cannot execute JSONata)', () => {
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('{%');
  });
});
