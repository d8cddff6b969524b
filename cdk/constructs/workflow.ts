import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { repoRoot } from '../lambda-bundles';
import type { GatekeeperFunction } from './gatekeeper-function';
import { operationalLogGroup } from './log-group';

export const definitionFile = 'statemachines/release.asl.json';

/** The `${...}` placeholders of the ASL file, each bound to a step function's ARN. */
export interface WorkflowSteps {
  DeployFunctionArn: GatekeeperFunction;
  RollbackFunctionArn: GatekeeperFunction;
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
      stateMachineType: StateMachineType.STANDARD,
      // Inline (DefinitionString) rather than DefinitionBody.fromFile, which uploads the
      // file as an S3 asset: the definition stays reviewable in the template and in diffs.
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(steps.map(([placeholder, fn]) => [placeholder, fn.functionArn])),
      logs: { destination: operationalLogGroup(this, 'Logs'), level: LogLevel.ALL, includeExecutionData: false },
    });
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
    principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'], resources: [executionsArn] }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachineArn] }),
    );
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
