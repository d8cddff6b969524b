import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { repoRoot } from '../lambda-bundles';
import { acknowledgeWildcardArn, acknowledgeWildcardResource } from '../nag';
import type { GatekeeperFunction } from './gatekeeper-function';
import { operationalLogGroup } from './log-group';

export const definitionFile = 'statemachines/release.asl.json';

/** The `${...}` placeholders of the ASL file, each bound to a step function's ARN. */
export interface WorkflowSteps {
  DeployFunctionArn: GatekeeperFunction;
  RollbackFunctionArn: GatekeeperFunction;
  RunChecksFunctionArn: GatekeeperFunction;
  RequestApprovalFunctionArn: GatekeeperFunction;
  RecordOutcomeFunctionArn: GatekeeperFunction;
}

export interface WorkflowProps {
  steps: WorkflowSteps;
}

/**
 * The release state machine. Standard, because it waits (possibly days) for a human.
 * No execution timeout on purpose: the approval wait has its own (TimeoutSecondsPath),
 * which routes to RecordExpired; an execution timeout would skip the bookkeeping.
 */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const steps = Object.entries(props.steps) as [keyof WorkflowSteps, GatekeeperFunction][];
    const definition = readDefinition(steps.map(([placeholder]) => placeholder));

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // Named, so the step functions and the reconciler can be granted task callbacks on its ARN
      // without referencing the resource (which depends on them: a cycle).
      stateMachineName: releaseStateMachineName(this),
      stateMachineType: StateMachineType.STANDARD,
      // Inline (DefinitionString) rather than DefinitionBody.fromFile, which uploads the
      // file as an S3 asset: the definition stays reviewable in the template and in diffs.
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(steps.map(([placeholder, fn]) => [placeholder, fn.functionArn])),
      logs: { destination: operationalLogGroup(this, 'Logs'), level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    acknowledgeWildcardResource(
      this.stateMachine.role,
      'Log delivery to CloudWatch Logs (logs:*LogDelivery*, logs:PutResourcePolicy, logs:Describe*) and X-Ray (xray:PutTraceSegments, ' +
        'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) have no resource-level permissions; AWS requires Resource "*".',
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: steps.map(([, fn]) => fn.functionArn) }),
    );
  }

  /**
   * What the API needs: start releases, look at and cancel its executions, and
   * answer the approval task tokens of this state machine.
   */
  allowApiControl(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    const { stateMachineArn } = this.stateMachine;
    const executionsArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    acknowledgeWildcardArn(grantee, executionsArn, executionsReason);
    principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'], resources: [executionsArn] }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] }),
    );
  }
}

export const releaseStateMachineName = (scope: Construct): string => `${Stack.of(scope).stackName}-release`;

const executionsReason =
  'Execution names are made per release at start time, so the ARN can name only this state machine and not the execution: ' +
  'the wildcard covers the executions of this one state machine.';

/**
 * SendTaskSuccess/SendTaskFailure/DescribeExecution on the release state machine,
 * by name: for the approval step (break-glass, superseding) and the reconciler,
 * which the state machine itself depends on or must not.
 */
export function allowTaskCallbacks(scope: Construct, grantee: IGrantable, options: { describeExecutions?: boolean } = {}): void {
  const stack = Stack.of(scope);
  const name = releaseStateMachineName(scope);
  const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] }));
  if (options.describeExecutions) {
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
    acknowledgeWildcardArn(grantee, executions, executionsReason);
  }
}

/** Reads the ASL and checks that its placeholders are exactly the ones bound. */
function readDefinition(placeholders: string[]): string {
  const text = readFileSync(path.join(repoRoot, definitionFile), 'utf8');
  const definition = JSON.stringify(JSON.parse(text));
  const used = new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
  const bound = new Set(placeholders);
  const unbound = [...used].filter((name) => name !== undefined && !bound.has(name));
  const unused = placeholders.filter((name) => !used.has(name));
  if (unbound.length > 0 || unused.length > 0) {
    throw new Error(
      `${definitionFile}: placeholders without a value: [${unbound.join(', ')}]; values without a placeholder: [${unused.join(', ')}]`,
    );
  }
  return definition;
}
