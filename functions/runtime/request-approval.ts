import { SesMailer } from '../adapters/ses/mailer';
import { signingSecretSource } from '../adapters/signing-secret';
import { StepFunctionsTaskCallbacks } from '../adapters/sfn/workflow';
import { createClusterDirectory } from '../adapters/kubernetes';
import { readKubernetesConfig, readMailConfig, readSigningConfig, type Env } from '../config';
import { createRequestApprovalStep } from '../steps/request-approval';
import { baseDeps } from './stores';

export function buildRequestApprovalStep(env: Env) {
  const base = baseDeps(env, 'request-approval');
  const mail = readMailConfig(env);
  return createRequestApprovalStep({
    ...base,
    // What runs now is read from the cluster for the approvers (and compared with the record).
    clusters: createClusterDirectory(readKubernetesConfig(env), { awsRegion: base.aws.AWS_REGION }),
    mailer: new SesMailer(base.aws, mail.MAIL_FROM),
    workflow: StepFunctionsTaskCallbacks.from(base.aws),
    signingSecret: signingSecretSource(readSigningConfig(env), base.aws),
    publicBaseUrl: mail.PUBLIC_BASE_URL,
  });
}
