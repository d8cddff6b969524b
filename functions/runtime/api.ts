import type { OidcClient, OidcClientSettings } from '../adapters/oidc/client';
import type { SecretSource } from '../adapters/oidc/secrets';
import { SesMailer } from '../adapters/ses/mailer';
import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { parseLinkKeySet } from '../domain/link-keys';
import { readDashboardConfig, readMailConfig, readSigningConfig, readWorkflowConfig, type Env } from '../config';
import type { ApiDeps } from '../api/deps';
import { requestScopedDirectory } from '../api/request-directory';
import { baseDeps } from './stores';

export function buildApiDeps(env: Env): ApiDeps {
  const base = baseDeps(env, 'api');
  const mail = readMailConfig(env);
  const dashboard = readDashboardConfig(env);
  const signing = readSigningConfig(env);
  // A malformed key set given directly still fails at start, though its source is built on first use.
  if (signing.LINK_SIGNING_SECRET) parseLinkKeySet(signing.LINK_SIGNING_SECRET);
  const secret = (source: { value?: string | undefined; arn?: string | undefined }, what: string): SecretSource =>
    onFirstCall(async () => (await import('../adapters/oidc/secrets')).secretSource(source, base.aws, what));
  return {
    ...base,
    // Within a /v1 request, the directory read with the token (one BatchGetItem) answers every check.
    directory: requestScopedDirectory(base.directory),
    workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN),
    signingSecret: onFirstCall(async () => (await import('../adapters/signing-secret')).signingSecretSource(signing, base.aws)),
    executionUrl: executionUrlFor(env.EXECUTION_URL_TEMPLATE, base.aws.AWS_REGION),
    mailer: new SesMailer(base.aws, mail.MAIL_FROM),
    publicBaseUrl: mail.PUBLIC_BASE_URL,
    oidc: lazyOidcClient({
      issuer: dashboard.OIDC_ISSUER,
      clientId: dashboard.OIDC_CLIENT_ID,
      clientSecret: secret({ value: dashboard.OIDC_CLIENT_SECRET, arn: dashboard.OIDC_CLIENT_SECRET_ARN }, 'OIDC client'),
      groupsClaim: dashboard.OIDC_GROUPS_CLAIM,
    }),
    sessionSecret: secret({ value: dashboard.SESSION_SECRET, arn: dashboard.SESSION_SECRET_ARN }, 'session'),
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

/**
 * The secret sources are built on their first call: their modules import the Secrets Manager
 * client, which the API's cold start does not need (a GET reads no secret; issue 13).
 */
function onFirstCall<A extends unknown[], R>(build: () => Promise<(...args: A) => Promise<R>>): (...args: A) => Promise<R> {
  let built: Promise<(...args: A) => Promise<R>> | undefined;
  return async (...args) => (await (built ??= build()))(...args);
}
