import { type Duration, Token } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundledCode } from '../bundled-code';
import { bundleHandler } from '../lambda-bundles';
import type { LambdaName } from '../lambda-bundles';
import { acknowledgeWildcardResource } from '../nag';
import { operationalLogGroup } from './log-group';

export const lambdaRuntime = Runtime.NODEJS_24_X;

/** Lambda refuses a function whose environment variables (names and values) take more than 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** What a value known only at deploy time (an ARN, a table name, the API's URL) is counted as. */
const UNRESOLVED_VALUE_BYTES = 128;

const valueBytes = (value: string) => (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value));

export interface GatekeeperFunctionProps {
  bundle: LambdaName;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
}

/**
 * One bundled Lambda with its own role and log group, traced with X-Ray. The role
 * starts empty apart from writing to that log group (no AWSLambdaBasicExecutionRole,
 * whose log actions apply to every log group) and sending traces: every other
 * permission is added explicitly.
 */
export class GatekeeperFunction extends Construct implements IGrantable {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: GatekeeperFunctionProps) {
    super(scope, id);
    this.environment = { ...props.environment };
    // Fail the synth, not the deployment: CLUSTERS (certificate authorities) can outgrow Lambda's limit.
    this.node.addValidation({ validate: () => this.environmentTooLarge(props.bundle) });
    this.logGroup = operationalLogGroup(this, 'Logs');
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Gatekeeper ${props.bundle} function`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new LambdaFunction(this, 'Function', {
      description: props.description,
      runtime: lambdaRuntime,
      architecture: Architecture.ARM_64,
      code: bundledCode(props.bundle),
      handler: bundleHandler,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      // Traces show where a slow approval or deploy spends its time (SDK calls, cold starts).
      tracing: Tracing.ACTIVE,
    });
    acknowledgeWildcardResource(
      this.role,
      'xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE) have no resource-level permissions; AWS requires Resource "*".',
    );
  }

  get grantPrincipal(): IPrincipal {
    return this.role;
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  addEnvironment(key: string, value: string): void {
    this.environment[key] = value;
    this.function.addEnvironment(key, value);
  }

  private environmentTooLarge(bundle: LambdaName): string[] {
    const sizes = Object.entries(this.environment).map(([key, value]) => ({ key, bytes: Buffer.byteLength(key) + valueBytes(value) }));
    const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0);
    if (total <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
    const largest = sizes.sort((a, b) => b.bytes - a.bytes).slice(0, 3).map(({ key, bytes }) => `${key} ${bytes}`);
    return [
      `the ${bundle} function's environment variables take about ${total} bytes, over Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} (largest: ${largest.join(', ')}); ` +
        'CLUSTERS holds every cluster\'s endpoint and certificate authority: deploy fewer clusters per stack',
    ];
  }
}
