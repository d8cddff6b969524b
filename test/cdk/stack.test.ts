import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FACE_ROUTES } from '../../cdk/constructs/api';
import { indexActions, tableItemActions } from '../../cdk/constructs/data';
import { GatekeeperStack } from '../../cdk/gatekeeper-stack';
import { bundleFileName, esbuildOptions, lambdaEntries, lambdaNames, repoRoot } from '../../cdk/lambda-bundles';
import { readSettings } from '../../cdk/settings';
import type { CfnTemplate } from './template-json';
import { asArray, identityStatements, referencedId, resourcesOfType } from './template-json';
import { tableDefinition } from '../../functions/adapters/dynamodb/table-schema';

const localTable = tableDefinition('unused');

/** The example context in cdk.json (settings and feature flags), as `cdk synth` sees it. */
const cdkJsonContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

/** Synthesized assemblies (temporary directories with the bundles), removed after the run. */
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function synthesize(extraContext: Record<string, unknown> = {}): { app: App; template: Template } {
  const app = new App({ context: { ...cdkJsonContext, ...extraContext } });
  outdirs.push(app.outdir);
  const stack = new GatekeeperStack(app, 'GatekeeperStack', { settings: readSettings(app.node) });
  return { app, template: Template.fromStack(stack) };
}

/**
 * Resource-wildcard statements AWS requires: these actions have no resource-level
 * permissions. cdk-nag's IAM5 acknowledgements (`Resource::*`) rely on this list:
 * it, not cdk-nag, catches any other action granted on `*` to the same role.
 */
const wildcardResourceActions = new Set([
  // Step Functions log delivery to CloudWatch Logs.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  // X-Ray: every Lambda (Tracing.ACTIVE) sends segments; the state machine also reads sampling rules.
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // CDK's RotationSchedule grants it to every rotation function (ours makes keys with node:crypto).
  'secretsmanager:GetRandomPassword',
  // The DynamoDB stream event source (the events Lambda) lists the table's streams; it reads the stream by its ARN.
  'dynamodb:ListStreams',
]);

/** What reading the table's stream takes (the events function's event source). */
const STREAM_READS = new Set(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);

/** Functions that use the table (all but the key rotation function). */
const tableFunctionCount = lambdaNames.filter((name) => name !== 'rotateSigningKey').length;

describe('GatekeeperStack', () => {
  let app: App;
  let template: Template;
  let json: CfnTemplate;
  const idOf = (type: string): string => {
    const ids = Object.keys(template.findResources(type));
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };
  /** The one secret with this description (the link-signing key, the session key, the client secret). */
  const secretIdOf = (description: RegExp): string => {
    const ids = resourcesOfType(json, 'AWS::SecretsManager::Secret').filter(([, secret]) => description.test(String(secret.Properties?.Description)));
    expect(ids).toHaveLength(1);
    return ids[0]?.[0] as string;
  };
  const linkSecretId = () => secretIdOf(/signs approval links/);

  // Bundles every Lambda (esbuild, code-split): slow on a loaded 2-core machine.
  beforeAll(() => {
    ({ app, template } = synthesize());
    json = template.toJSON() as CfnTemplate;
  }, 180_000);

  it('keeps releases in an on-demand, point-in-time-recoverable, deletion-protected, retained table', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        // The deployed table has exactly the keys the local stack and the tests create.
        KeySchema: localTable.KeySchema,
        GlobalSecondaryIndexes: localTable.GlobalSecondaryIndexes,
      }),
    });
  });

  it('runs every Lambda (API, steps, reconciler, key rotation) on arm64 from locally bundled ESM assets, traced by X-Ray', () => {
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(lambdaNames.length);
    for (const [, fn] of functions) {
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
      expect(fn.Properties?.Runtime).toMatch(/^nodejs2[24]\.x$/);
      expect(fn.Properties?.Handler).toBe('index.handler');
      expect(referencedId((fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup)).toBeDefined();
      const s3Key = (fn.Properties?.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
      expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(existsSync(path.join(app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, bundleFileName))).toBe(true);
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('drives the events Lambda from the table\'s stream (new images), filtered to inserted audit items, reporting failed records', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    expect(localTable.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const [[, mapping]] = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping') as unknown as [[string, { Properties: Record<string, unknown> }]];
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 86400,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['audit'] } } } }) }] },
    });
    expect(referencedId(mapping.Properties.EventSourceArn)).toBe(idOf('AWS::DynamoDB::Table'));
    const target = json.Resources[referencedId(mapping.Properties.FunctionName) ?? ''];
    expect(String(target?.Properties?.Description)).toMatch(/^Gatekeeper events:/);
    expect(Object.keys((target?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).sort()).toEqual(['MAIL_FROM', 'PUBLIC_BASE_URL', 'TABLE_NAME']);
    // Only the events function reads the stream, and only this table's (ListStreams has no resource-level permission).
    const reads = identityStatements(json).filter(({ statement }) => asArray(statement.Action).some((a) => STREAM_READS.has(a)));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map(({ holder }) => holder).filter((holder) => !holder.startsWith('EventsRole'))).toEqual([]);
    for (const { statement } of reads) {
      for (const resource of asArray(statement.Resource)) expect(resource === '*' || JSON.stringify(resource).includes('StreamArn')).toBe(true);
    }
  });

  it('sizes and times out each function for its job', () => {
    const expectFunction = (description: RegExp, memorySize: number, timeout: number) =>
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description.source),
        MemorySize: memorySize,
        Timeout: timeout,
      });
    expectFunction(/CI API/, 512, 29);
    expectFunction(/dashboard: sign-in, pages/, 512, 29);
    expectFunction(/set the image/, 1024, 900);
    expectFunction(/restore the previous image/, 1024, 900);
    expectFunction(/run pre- and post-deployment checks/, 1024, 900);
    expectFunction(/email signed approval links/, 512, 30);
    expectFunction(/record the final state/, 512, 30);
    expectFunction(/rotates the link-signing key/, 256, 30);
  });

  it('gives every log group a retention', () => {
    const logGroups = resourcesOfType(json, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThanOrEqual(lambdaNames.length + 2);
    for (const [, logGroup] of logGroups) expect(logGroup.Properties?.RetentionInDays).toEqual(expect.any(Number));
  });

  it('runs the ASL file as a STANDARD state machine bound to the five step functions', () => {
    const stateMachine = template.findResources('AWS::StepFunctions::StateMachine');
    const [props] = Object.values(stateMachine).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
    expect(props?.StateMachineType).toBe('STANDARD');
    const definition = props?.DefinitionString as string;
    const substitutions = props?.DefinitionSubstitutions as Record<string, unknown>;
    const stepFunctionIds = {
      DeployFunctionArn: /set the image/,
      RollbackFunctionArn: /restore the previous image/,
      RunChecksFunctionArn: /run pre- and post-deployment checks/,
      RequestApprovalFunctionArn: /email signed approval links/,
      RecordOutcomeFunctionArn: /record the final state/,
    };
    expect(Object.keys(substitutions).sort()).toEqual(Object.keys(stepFunctionIds).sort());
    for (const [placeholder, description] of Object.entries(stepFunctionIds)) {
      expect(definition).toContain(`"FunctionName":"\${${placeholder}}"`);
      const target = json.Resources[referencedId(substitutions[placeholder]) ?? ''];
      expect(target?.Type).toBe('AWS::Lambda::Function');
      expect(target?.Properties?.Description).toMatch(description);
    }
    expect(props?.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: expect.stringMatching(/^(ALL|ERROR)$/) });
    expect(props?.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('grants only item-level DynamoDB actions, on the table and its index', () => {
    const tableId = idOf('AWS::DynamoDB::Table');
    const allowed = new Set<string>([...tableItemActions, ...indexActions]);
    // The events function's stream reads are checked with its event source.
    const dynamo = identityStatements(json).filter(({ statement }) => asArray(statement.Action).some((a) => a.startsWith('dynamodb:') && !STREAM_READS.has(a)));
    expect(dynamo.length).toBe(2 * tableFunctionCount);
    for (const { holder, statement } of dynamo) {
      for (const action of asArray(statement.Action)) expect(allowed, `${holder}: ${action}`).toContain(action);
      for (const resource of asArray(statement.Resource)) expect(JSON.stringify(resource)).toContain(`"${tableId}"`);
    }
  });

  it('lets the state machine invoke exactly the five step functions', () => {
    const invokes = identityStatements(json).filter(({ statement }) => asArray(statement.Action).includes('lambda:InvokeFunction'));
    expect(invokes).toHaveLength(1);
    const targets = asArray(invokes[0]?.statement.Resource).map((r) => json.Resources[referencedId(r) ?? '']?.Properties?.Description);
    expect(targets).toHaveLength(5);
    expect(targets.join('|')).not.toMatch(/CI API|dashboard/);
  });

  it('grants SendTaskSuccess/SendTaskFailure only on this state machine', () => {
    const stateMachineId = idOf('AWS::StepFunctions::StateMachine');
    const taskResponses = identityStatements(json).filter(({ statement }) =>
      asArray(statement.Action).some((a) => a === 'states:SendTaskSuccess' || a === 'states:SendTaskFailure'),
    );
    expect(taskResponses.length).toBeGreaterThan(0);
    const granted = new Set(taskResponses.flatMap(({ statement }) => asArray(statement.Action)));
    expect(granted).toContain('states:SendTaskSuccess');
    expect(granted).toContain('states:SendTaskFailure');
    // By reference (the API), or by its fixed name where a reference would be a cycle (the approval step, the reconciler).
    const byName = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:${String(resourcesOfType(json, 'AWS::StepFunctions::StateMachine')[0]?.[1].Properties?.StateMachineName)}`]] };
    for (const { statement } of taskResponses) expect([{ Ref: stateMachineId }, byName]).toContainEqual(statement.Resource);
  });

  it('has no wildcard actions and no wildcard resources beyond what AWS requires', () => {
    const statements = identityStatements(json);
    expect(statements.length).toBeGreaterThan(0);
    for (const { holder, statement } of statements) {
      expect(statement.Effect, holder).toBe('Allow');
      expect(statement.NotAction, holder).toBeUndefined();
      expect(statement.NotResource, holder).toBeUndefined();
      for (const action of asArray(statement.Action)) expect(action, holder).not.toContain('*');
      if (asArray(statement.Resource).includes('*')) {
        for (const action of asArray(statement.Action)) expect(wildcardResourceActions, `${holder}: ${action}`).toContain(action);
      }
    }
    for (const [id, role] of resourcesOfType(json, 'AWS::IAM::Role')) {
      expect(role.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('stores the link-signing key in Secrets Manager and hands functions only its ARN', () => {
    const secretId = linkSecretId();
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    let holders = 0;
    for (const [id, fn] of functions) {
      const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect(JSON.stringify(variables), id).not.toContain('resolve:secretsmanager');
      expect(Object.keys(variables), id).not.toContain('LINK_SIGNING_SECRET');
      for (const [key, value] of Object.entries(variables)) {
        if (JSON.stringify(value).includes(secretId)) {
          expect(key, id).toBe('LINK_SIGNING_SECRET_ARN');
          expect(value, id).toEqual({ Ref: secretId });
          holders += 1;
        }
      }
    }
    // The approval step, both faces of the API and the audit checkpointer.
    expect(holders).toBe(4);
  });

  it('rotates the link-signing key every 30 days with its own function, which may touch only that secret', () => {
    const secretId = linkSecretId();
    const signInSecrets = [{ Ref: secretIdOf(/dashboard session cookies/) }, { Ref: secretIdOf(/dashboard app client secret/) }];
    const schedules = resourcesOfType(json, 'AWS::SecretsManager::RotationSchedule');
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]?.[1].Properties ?? {};
    expect(schedule.SecretId).toEqual({ Ref: secretId });
    expect(schedule.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    const rotatorId = referencedId(schedule.RotationLambdaARN) ?? '';
    expect(json.Resources[rotatorId]?.Properties?.Description).toMatch(/rotates the link-signing key/);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [rotatorId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
    });
    // Every secretsmanager grant in the stack is on this secret (or GetRandomPassword, which has no resource), but the API's read of the sign-in secrets (below).
    const secretGrants = identityStatements(json).filter(({ statement }) => asArray(statement.Action).some((a) => a.startsWith('secretsmanager:')));
    const isSignInSecret = (resource: unknown) => signInSecrets.some((secret) => JSON.stringify(secret) === JSON.stringify(resource));
    for (const { holder, statement } of secretGrants) {
      const actions = asArray(statement.Action).filter((a) => a.startsWith('secretsmanager:'));
      if (actions.join() === 'secretsmanager:GetRandomPassword') continue;
      // IAM merges the API's reads into one statement: the link key's and the sign-in secrets'.
      for (const resource of asArray(statement.Resource)) {
        if (isSignInSecret(resource)) expect([holder, actions.join()]).toEqual([expect.stringMatching(/FunctionsDashboard/), 'secretsmanager:GetSecretValue']);
        else expect(resource, holder).toEqual({ Ref: secretId });
      }
    }
    // Only the rotation function may write it.
    const writers = secretGrants.filter(({ statement }) => asArray(statement.Action).includes('secretsmanager:PutSecretValue'));
    expect(writers).toHaveLength(1);
    expect(asArray(writers[0]?.statement.Action).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
  });

  it('routes the API face\'s paths to the API Lambda and everything else ($default) to the dashboard Lambda (payload 2.0)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const targetOf = (routeKey: string) => {
      const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').filter(([, route]) => route.Properties?.RouteKey === routeKey);
      expect(routes, routeKey).toHaveLength(1);
      const [, integration] = resourcesOfType(json, 'AWS::ApiGatewayV2::Integration').find(([id]) => JSON.stringify(routes[0]?.[1].Properties?.Target).includes(`{"Ref":"${id}"}`)) ?? [];
      expect(integration?.Properties?.PayloadFormatVersion).toBe('2.0');
      return String(json.Resources[referencedId(integration?.Properties?.IntegrationUri) ?? '']?.Properties?.Description);
    };
    expect(resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.RouteKey).sort()).toEqual([...API_FACE_ROUTES.map((path) => `ANY ${path}`), '$default'].sort());
    for (const path of API_FACE_ROUTES) expect(targetOf(`ANY ${path}`)).toMatch(/CI API/);
    expect(targetOf('$default')).toMatch(/dashboard: sign-in, pages/);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      // The default throttle (cdk/settings.ts) on every route.
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('creates the SES identity and lets only requestApproval, the events function and both faces of the API (config drafts) send, only as it', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: cdkJsonContext.sesIdentity });
    const identityId = idOf('AWS::SES::EmailIdentity');
    const sends = identityStatements(json).filter(({ statement }) => asArray(statement.Action).some((a) => a.startsWith('ses:')));
    // The approval step, the events function, and both faces of the API (config drafts).
    expect(sends.map(({ holder }) => holder).filter((holder) => /FunctionsApi|FunctionsDashboard/.test(holder))).toHaveLength(2);
    expect(sends).toHaveLength(4);
    for (const send of sends) expect(JSON.stringify(send.statement.Resource)).toContain(`"Ref":"${identityId}"`);
  });

  it('lets deploy, rollback and the checks edit, and the approval step and reconciler only read, the configured namespaces of each cluster', () => {
    const clusters = cdkJsonContext.clusters as Array<{ eksClusterName: string; namespaces: string[] }>;
    expect(clusters).toHaveLength(2);
    const entries = resourcesOfType(json, 'AWS::EKS::AccessEntry');
    expect(entries).toHaveLength(5 * clusters.length);
    for (const cluster of clusters) {
      const own = entries.filter(([, entry]) => entry.Properties?.ClusterName === cluster.eksClusterName);
      const policies = own.map(([id, entry]) => {
        expect(entry.Properties).toMatchObject({ Type: 'STANDARD', AccessPolicies: [{ AccessScope: { Type: 'namespace', Namespaces: cluster.namespaces } }] });
        return `${id}:${/AmazonEKS(\w+)Policy/.exec(JSON.stringify(entry.Properties))?.[1]}`;
      });
      expect(policies.filter((p) => p.endsWith(':Edit')).map((p) => p.split(':')[0])).toEqual([expect.stringMatching(/Deploy/), expect.stringMatching(/Rollback/), expect.stringMatching(/RunChecks/)]);
      expect(policies.filter((p) => p.endsWith(':View')).map((p) => p.split(':')[0])).toEqual([expect.stringMatching(/RequestApproval/), expect.stringMatching(/Reconcile/)]);
      // Keyed by the EKS cluster, not by its place in the list: reordering replaces nothing.
      for (const [id] of own) expect(id).toContain(cluster.eksClusterName.replace(/[^A-Za-z0-9]/g, ''));
    }
    // The same four roles in every cluster.
    const principals = (name: string) => entries.filter(([, e]) => e.Properties?.ClusterName === name).map(([, e]) => JSON.stringify(e.Properties?.PrincipalArn));
    expect(principals(clusters[1]!.eksClusterName)).toEqual(principals(clusters[0]!.eksClusterName));
  });

  it('lets the cluster functions describe exactly the configured clusters, and tells them where the clusters are (CLUSTERS, without namespaces)', () => {
    const clusters = cdkJsonContext.clusters as Array<{ name: string; eksClusterName: string; endpoint: string; certificateAuthority: string }>;
    const withClusters = resourcesOfType(json, 'AWS::Lambda::Function').filter(([, fn]) => 'CLUSTERS' in ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}));
    expect(withClusters.map(([id]) => id.replace(/Function[A-F0-9]+$/, '')).sort()).toEqual(['FunctionsDeploy', 'FunctionsReconcile', 'FunctionsRequestApproval', 'FunctionsRollback', 'FunctionsRunChecks']);
    for (const [, fn] of withClusters) {
      const variables = (fn.Properties?.Environment as { Variables: Record<string, string> }).Variables;
      expect(JSON.parse(variables.CLUSTERS!)).toEqual(clusters.map(({ name, eksClusterName, endpoint, certificateAuthority }) => ({ name, eksClusterName, endpoint, certificateAuthority })));
      expect(Object.keys(variables).filter((key) => key.startsWith('EKS_'))).toEqual([]);
    }
    const describes = resourcesOfType(json, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      ((policy.Properties?.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement ?? []).filter((st) => asArray(st.Action).includes('eks:DescribeCluster')),
    );
    expect(describes).toHaveLength(5);
    for (const statement of describes) {
      const resources = JSON.stringify(statement.Resource);
      for (const cluster of clusters) expect(resources).toContain(`:cluster/${cluster.eksClusterName}`);
    }
  });

  it('signs people in to the dashboard with its own Cognito user pool: email as username, MFA, code grant, the callback on the public URL', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const apiUrl = { 'Fn::GetAtt': [idOf('AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] };
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [{ 'Fn::Join': ['', [apiUrl, '/auth/callback']] }],
      LogoutURLs: [{ 'Fn::Join': ['', [apiUrl, '/auth/signed-out']] }],
    });
    // No custom resource (and so no extra Lambda) fetches the client secret: CloudFormation hands it to Secrets Manager.
    const clientId = idOf('AWS::Cognito::UserPoolClient');
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: { 'Fn::GetAtt': [clientId, 'ClientSecret'] } });
    template.resourceCountIs('Custom::DescribeCognitoUserPoolClient', 0);
  });

  it('gives only the API\'s two faces the sign-in settings, secrets by ARN, and only the dashboard read access to exactly those two secrets', () => {
    const sessionSecret = secretIdOf(/dashboard session cookies/);
    const clientSecret = secretIdOf(/dashboard app client secret/);
    const poolId = idOf('AWS::Cognito::UserPool');
    const withIssuer = resourcesOfType(json, 'AWS::Lambda::Function').filter(([, fn]) => 'OIDC_ISSUER' in ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}));
    expect(withIssuer.map(([, fn]) => fn.Properties?.Description)).toEqual([expect.stringMatching(/CI API/), expect.stringMatching(/dashboard: sign-in, pages/)]);
    const variables = (withIssuer[0]?.[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      OIDC_ISSUER: { 'Fn::GetAtt': [poolId, 'ProviderURL'] },
      OIDC_CLIENT_ID: { Ref: idOf('AWS::Cognito::UserPoolClient') },
      OIDC_CLIENT_SECRET_ARN: { Ref: clientSecret },
      SESSION_SECRET_ARN: { Ref: sessionSecret },
      OIDC_GROUPS_CLAIM: 'cognito:groups',
    });
    expect(Object.keys(variables)).not.toContain('SESSION_SECRET');
    expect(Object.keys(variables)).not.toContain('OIDC_CLIENT_SECRET');
    const reads = identityStatements(json).filter(({ statement }) => JSON.stringify(statement.Resource).includes(sessionSecret) || JSON.stringify(statement.Resource).includes(clientSecret));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.holder).toMatch(/FunctionsDashboard/);
    // One statement with the link key's read (IAM merges them), and only GetSecretValue.
    expect(reads[0]?.statement).toEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: linkSecretId() }, { Ref: clientSecret }, { Ref: sessionSecret }] });
  });

  it('runs the reconciler every minute and the audit checkpointer every hour', () => {
    const rules = resourcesOfType(json, 'AWS::Events::Rule').map(([, rule]) => rule.Properties as { ScheduleExpression: string; State: string; Targets: { Arn: unknown }[] });
    expect(rules.map((rule) => [rule.ScheduleExpression, rule.State, JSON.stringify(rule.Targets[0]?.Arn)])).toEqual([
      ['rate(1 minute)', 'ENABLED', expect.stringMatching(/FunctionsReconcile/)],
      ['rate(1 hour)', 'ENABLED', expect.stringMatching(/FunctionsAuditCheckpointer/)],
    ]);
  });

  it('lets the audit checkpointer read the link-signing key (to sign checkpoints) and nothing else of the secrets', () => {
    const reads = identityStatements(json).filter(({ statement }) => JSON.stringify(statement.Resource).includes(linkSecretId()));
    expect(reads.map(({ holder }) => holder)).toEqual(expect.arrayContaining([expect.stringMatching(/FunctionsAuditCheckpointer/)]));
    const [, fn] = resourcesOfType(json, 'AWS::Lambda::Function').find(([id]) => id.startsWith('FunctionsAuditCheckpointer')) ?? [];
    expect(Object.keys((fn?.Properties as { Environment: { Variables: object } }).Environment.Variables)).toEqual(expect.arrayContaining(['TABLE_NAME', 'LINK_SIGNING_SECRET_ARN']));
  });

  it('exports the outputs', () => {
    for (const name of ['ApiUrl', 'StateMachineArn', 'TableName', 'SigningSecretArn', 'SignInCallbackUrl', 'UserPoolId', 'SignInUrl']) template.hasOutput(name, {});
    const apiId = idOf('AWS::ApiGatewayV2::Api');
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
  });
});

describe('GatekeeperStack with custom settings', () => {
  it('throttles the API and rotates the key as configured', () => {
    const { template } = synthesize({ apiThrottleRateLimit: '5', apiThrottleBurstLimit: '12', linkKeyRotationDays: 90, 'aws:cdk:bundling-stacks': [] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 12 } });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(90 days)' } });
  });

  it('refuses a rotation interval shorter than the longest approval timeout', () => {
    expect(() => synthesize({ linkKeyRotationDays: 7, 'aws:cdk:bundling-stacks': [] })).toThrow(/linkKeyRotationDays/);
  });
});

describe('GatekeeperStack with the single-cluster keys', () => {
  it('gives that cluster the name "default", its access entries and CLUSTERS', () => {
    const ca = (cdkJsonContext.clusters as Array<{ certificateAuthority: string }>)[0]!.certificateAuthority;
    const { template } = synthesize({
      clusters: undefined,
      clusterName: 'prod-eks',
      clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      clusterCertificateAuthority: ca,
      clusterNamespaces: 'staging,prod',
      'aws:cdk:bundling-stacks': [],
    });
    template.resourceCountIs('AWS::EKS::AccessEntry', 5);
    template.allResourcesProperties('AWS::EKS::AccessEntry', { ClusterName: 'prod-eks', AccessPolicies: [Match.objectLike({ AccessScope: { Type: 'namespace', Namespaces: ['staging', 'prod'] } })] });
    const clusters = JSON.stringify([{ name: 'default', eksClusterName: 'prod-eks', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: ca }]);
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { CLUSTERS: clusters } } } }))).toHaveLength(5);
  });
});

describe('GatekeeperStack with more clusters than Lambda environment variables can hold', () => {
  it('fails the synth, naming the function and CLUSTERS', () => {
    // A real EKS certificate authority is about 1,500 characters of base64.
    const big = Buffer.from(`-----BEGIN CERTIFICATE-----\n${'A'.repeat(1100)}\n-----END CERTIFICATE-----\n`).toString('base64');
    const cluster = (name: string) => ({ name, eksClusterName: `prod-${name}`, endpoint: `https://${name}.gr7.eu-west-1.eks.amazonaws.com`, certificateAuthority: big, namespaces: ['prod'] });
    expect(() => synthesize({ clusters: [cluster('eu'), cluster('us')], 'aws:cdk:bundling-stacks': [] })).not.toThrow();
    expect(() => synthesize({ clusters: [cluster('eu'), cluster('us'), cluster('ap')], 'aws:cdk:bundling-stacks': [] })).toThrow(
      /the deploy function's environment variables take about \d+ bytes, over Lambda's limit of 4096 \(largest: CLUSTERS \d+/,
    );
  });
});

describe('GatekeeperStack with a custom publicBaseUrl', () => {
  it('uses it for the links and the ApiUrl output', () => {
    const { template } = synthesize({ publicBaseUrl: 'https://deploys.example.com/', 'aws:cdk:bundling-stacks': [] });
    template.hasOutput('ApiUrl', { Value: 'https://deploys.example.com' });
    const withBaseUrl = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { PUBLIC_BASE_URL: 'https://deploys.example.com' } } },
    });
    // Both faces of the API, the approval step and the events function.
    expect(Object.keys(withBaseUrl)).toHaveLength(4);
  });
});

describe('GatekeeperStack with an external OpenID Connect provider', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatekeeper/okta-AbCdEf';

  it('creates no user pool, hands the API the issuer, client id and secret ARN, and lets it read only that secret and the session key', () => {
    const { template } = synthesize({
      oidcIssuer: 'https://example.okta.com/oauth2/default/',
      oidcClientId: '0oa1example',
      oidcClientSecretArn: secretArn,
      oidcGroupsClaim: 'groups',
      'aws:cdk:bundling-stacks': [],
    });
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolDomain', 'AWS::Cognito::ManagedLoginBranding']) template.resourceCountIs(type, 0);
    const json = template.toJSON() as CfnTemplate;
    const sessionSecret = resourcesOfType(json, 'AWS::SecretsManager::Secret').find(([, secret]) => /dashboard session cookies/.test(String(secret.Properties?.Description)))?.[0];
    const api = resourcesOfType(json, 'AWS::Lambda::Function').filter(([, fn]) => /CI API/.test(String(fn.Properties?.Description)));
    expect((api[0]?.[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      OIDC_ISSUER: 'https://example.okta.com/oauth2/default',
      OIDC_CLIENT_ID: '0oa1example',
      OIDC_CLIENT_SECRET_ARN: secretArn,
      SESSION_SECRET_ARN: { Ref: sessionSecret },
      OIDC_GROUPS_CLAIM: 'groups',
    });
    const reads = identityStatements(json).filter(({ statement }) => JSON.stringify(statement.Resource).includes(secretArn));
    expect(reads.map(({ holder }) => holder)).toEqual([expect.stringMatching(/FunctionsDashboard/)]);
    expect(reads[0]?.statement).toMatchObject({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue' });
    expect(reads[0]?.statement.Resource).toEqual(expect.arrayContaining([secretArn, { Ref: sessionSecret }]));
    expect(asArray(reads[0]?.statement.Resource)).toHaveLength(3);
    template.hasOutput('SignInCallbackUrl', { Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'ApiEndpoint'] }, '/auth/callback']] } });
    expect(Object.keys(json.Outputs ?? {})).not.toContain('UserPoolId');
  });

  it('refuses an incomplete provider, a partial secret ARN and a Cognito domain prefix beside it', () => {
    expect(() => synthesize({ oidcIssuer: 'https://example.okta.com', 'aws:cdk:bundling-stacks': [] })).toThrow(/oidcClientId: required with oidcIssuer/);
    expect(() => synthesize({ oidcIssuer: 'https://example.okta.com', oidcClientId: 'x', oidcClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:okta', 'aws:cdk:bundling-stacks': [] })).toThrow(/six-character suffix/);
    expect(() => synthesize({ oidcIssuer: 'https://example.okta.com', oidcClientId: 'x', oidcClientSecretArn: secretArn, cognitoDomainPrefix: 'deploys', 'aws:cdk:bundling-stacks': [] })).toThrow(/cognitoDomainPrefix/);
  });
});

describe('GatekeeperStack with a Cognito domain prefix', () => {
  it('uses it for the managed login domain', () => {
    const { template } = synthesize({ cognitoDomainPrefix: 'acme-deploys', 'aws:cdk:bundling-stacks': [] });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-deploys' });
    expect(() => synthesize({ cognitoDomainPrefix: 'my-cognito-login', 'aws:cdk:bundling-stacks': [] })).toThrow(/reserves them/);
  });
});

describe('esbuildOptions', () => {
  it('bundles everything, AWS SDK included, into minified, code-split ESM for Node 22 with index.mjs as the entry', () => {
    const options = esbuildOptions(lambdaEntries.api, 'dist/api');
    expect(options).toMatchObject({
      entryPoints: ['functions/lambda/api.ts'],
      outdir: 'dist/api',
      entryNames: path.parse(bundleFileName).name,
      outExtension: { '.js': path.parse(bundleFileName).ext },
      splitting: true,
      absWorkingDir: repoRoot,
      bundle: true,
      minify: true,
      treeShaking: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      sourcemap: false,
      metafile: true,
    });
    expect(options.external ?? []).toEqual([]);
    expect(options.packages).toBeUndefined();
    expect(options.banner?.js).toContain('createRequire');
  });
});
