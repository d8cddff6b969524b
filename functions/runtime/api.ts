import { SesMailer } from '../adapters/ses/mailer';
import { signingSecretSource } from '../adapters/signing-secret';
import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { readMailConfig, readSigningConfig, readWorkflowConfig, type Env } from '../config';
import type { ApiDeps } from '../api/deps';
import { baseDeps } from './stores';

export function buildApiDeps(env: Env): ApiDeps {
  const base = baseDeps(env, 'api');
  const mail = readMailConfig(env);
  return {
    ...base,
    workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN),
    signingSecret: signingSecretSource(readSigningConfig(env), base.aws),
    executionUrl: executionUrlFor(env.EXECUTION_URL_TEMPLATE, base.aws.AWS_REGION),
    mailer: new SesMailer(base.aws, mail.MAIL_FROM),
    publicBaseUrl: mail.PUBLIC_BASE_URL,
  };
}

const CONSOLE = 'https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{executionArn}';

/** `EXECUTION_URL_TEMPLATE` with {executionArn}, {releaseId}, {region}; the AWS console by default. */
function executionUrlFor(template: string | undefined, region: string) {
  return (executionArn: string, releaseId: string) =>
    (template ?? CONSOLE).replaceAll('{region}', region).replaceAll('{executionArn}', executionArn).replaceAll('{releaseId}', releaseId);
}
