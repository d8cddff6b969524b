import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './constructs/api';
import { ClusterAccess } from './constructs/cluster-access';
import { Data } from './constructs/data';
import { Events } from './constructs/events';
import { Functions } from './constructs/functions';
import { Mail } from './constructs/mail';
import { DashboardSignIn } from './constructs/sign-in';
import { SigningKeyRotation } from './constructs/signing-key-rotation';
import { allowTaskCallbacks, Workflow } from './constructs/workflow';
import type { GatekeeperSettings } from './settings';

export interface GatekeeperStackProps extends StackProps {
  settings: GatekeeperSettings;
}

/**
 * Dependency order (acyclic): table/secret (and its rotation)/SES identity → HTTP API (no routes) →
 * Lambdas (PUBLIC_BASE_URL = API endpoint) → state machine (step Lambda ARNs) →
 * API Lambda gets STATE_MACHINE_ARN → `$default` route to the API Lambda.
 */
export class GatekeeperStack extends Stack {
  constructor(scope: Construct, id: string, props: GatekeeperStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const data = new Data(this, 'Data');
    const mail = new Mail(this, 'Mail', { identity: settings.mail.identity });
    const api = new Api(this, 'Api', { throttle: settings.apiThrottle });
    new SigningKeyRotation(this, 'SigningKeyRotation', { secret: data.signingSecret, rotationDays: settings.linkKeyRotationDays });
    const publicBaseUrl = settings.publicBaseUrl ?? api.endpoint;

    // Dashboard sign-in: the stack's own Cognito user pool, or the external OpenID Connect provider the context names.
    const signIn = new DashboardSignIn(this, 'SignIn', { settings: settings.dashboardSignIn, publicBaseUrl });

    const functions = new Functions(this, 'Functions', { data, settings, publicBaseUrl, signIn });
    mail.allowSend(functions.requestApproval);
    // Configuration drafts email their config approvers straight from the API (either face).
    mail.allowSend(functions.api);
    mail.allowSend(functions.dashboard);
    new ClusterAccess(this, 'ClusterAccess', {
      clusters: settings.clusters,
      // Checks create Jobs and read their pods' logs (and Secrets for HTTP checks): edit, like deploys.
      roles: { Deploy: functions.deploy.role, Rollback: functions.rollback.role, RunChecks: functions.runChecks.role },
      readers: { RequestApproval: functions.requestApproval.role, Reconcile: functions.reconcile.role },
    });

    const workflow = new Workflow(this, 'Workflow', {
      steps: {
        DeployFunctionArn: functions.deploy,
        RollbackFunctionArn: functions.rollback,
        RunChecksFunctionArn: functions.runChecks,
        RequestApprovalFunctionArn: functions.requestApproval,
        RecordOutcomeFunctionArn: functions.recordOutcome,
      },
    });
    for (const face of [functions.api, functions.dashboard]) {
      face.addEnvironment('STATE_MACHINE_ARN', workflow.stateMachine.stateMachineArn);
      workflow.allowApiControl(face);
    }
    allowTaskCallbacks(this, functions.requestApproval);
    // The reconciler repairs what single faults leave behind, every minute (README, "Failure model").
    functions.reconcile.addEnvironment('STATE_MACHINE_ARN', workflow.stateMachine.stateMachineArn);
    allowTaskCallbacks(this, functions.reconcile, { describeExecutions: true });
    new Rule(this, 'ReconcileSchedule', {
      description: 'Gatekeeper reconciler pass',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(functions.reconcile.function, { retryAttempts: 0 })],
    });
    // Keeps GET /v1/audit/verify to the last hour's events however long a chain grows (README, "Audit trail").
    new Rule(this, 'AuditCheckpointSchedule', {
      description: 'Gatekeeper audit checkpointer pass',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(functions.auditCheckpointer.function, { retryAttempts: 0 })],
    });
    api.routeTo({ api: functions.api.function, dashboard: functions.dashboard.function });
    // B17: new audit events (the table's stream) to webhooks and notification emails; the reconciler retries deliveries.
    new Events(this, 'Events', { data, mail, publicBaseUrl, mailFrom: settings.mail.from });

    new CfnOutput(this, 'ApiUrl', { value: publicBaseUrl, description: 'Base URL of the CI API and approval links' });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'SigningSecretArn', { value: data.signingSecret.secretArn });
    new CfnOutput(this, 'SignInCallbackUrl', { value: `${publicBaseUrl}/auth/callback`, description: 'Dashboard sign-in: the redirect URI registered with the OpenID Connect provider' });
    if (signIn.userPool && signIn.domain) {
      new CfnOutput(this, 'UserPoolId', { value: signIn.userPool.userPoolId, description: 'Dashboard users: aws cognito-idp admin-create-user --user-pool-id <this> …' });
      new CfnOutput(this, 'SignInUrl', { value: signIn.domain.baseUrl(), description: 'Cognito managed login for the dashboard' });
    }
  }
}
