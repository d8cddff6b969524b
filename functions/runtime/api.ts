import type { OidcClient, OidcClientSettings } from '../adapters/oidc/client';
import { secretSource } from '../adapters/oidc/secrets';
import { SesMailer } from '../adapters/ses/mailer';
import { signingSecretSource } from '../adapters/signing-secret';
import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { readDashboardConfig, readMailConfig, readSigningConfig, readWorkflowConfig, type Env } from '../config';
import type { ApiDeps } from '../api/deps';
import { baseDeps } from './stores';

export function buildApiDeps(env: Env): ApiDeps {
  const base = baseDeps(env, 'api');
  const mail = readMailConfig(env);
  const dashboard = readDashboardConfig(env);
  return {
    ...base,
    workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN),
    signingSecret: signingSecretSource(readSigningConfig(env), base.aws),
    executionUrl: executionUrlFor(env.EXECUTION_URL_TEMPLATE, base.aws.AWS_REGION),
    mailer: new SesMailer(base.aws, mail.MAIL_FROM),
    publicBaseUrl: mail.PUBLIC_BASE_URL,
    oidc: lazyOidcClient({
      issuer: dashboard.OIDC_ISSUER,
      clientId: dashboard.OIDC_CLIENT_ID,
      clientSecret: secretSource({ value: dashboard.OIDC_CLIENT_SECRET, arn: dashboard.OIDC_CLIENT_SECRET_ARN }, base.aws, 'OIDC client'),
      groupsClaim: dashboard.OIDC_GROUPS_CLAIM,
    }),
    sessionSecret: secretSource({ value: dashboard.SESSION_SECRET, arn: dashboard.SESSION_SECRET_ARN }, base.aws, 'session'),
  };
}

const CONSOLE = 'https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{executionArn}';

/** `EXECUTION_URL_TEMPLATE` with {executionArn}, {releaseId}, {region}; the AWS console by default. */
function executionUrlFor(template: string | undefined, region: string) {
  return (executionArn: string, releaseId: string) =>
    (template ?? CONSOLE).replaceAll('{region}', region).replaceAll('{executionArn}', executionArn).replaceAll('{releaseId}', releaseId);
}

/**
 * openid-client is loaded on the first sign-in, not at import: only the dashboard face signs
 * people in, and the API face (CI, links) must not pay for it at cold start (issue 13).
 */
function lazyOidcClient(settings: OidcClientSettings): OidcClient {
  let client: Promise<OidcClient> | undefined;
  const loaded = () => (client ??= import('../adapters/oidc/client').then(({ openIdConnectClient }) => openIdConnectClient(settings)));
  return {
    authorizationRequest: async (options) => (await loaded()).authorizationRequest(options),
    completeSignIn: async (callbackUrl, expected) => (await loaded()).completeSignIn(callbackUrl, expected),
    endSessionUrl: async (postLogoutRedirectUri) => (await loaded()).endSessionUrl(postLogoutRedirectUri),
  };
}
