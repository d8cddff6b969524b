import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSigningKeyRotation } from '../adapters/signing-key-rotation';
import { readAwsConfig, type Env } from '../config';
import { createLogger } from '../observability/logger';

/** The rotation function of the link-signing secret; the secret comes with each event. */
export function buildSigningKeyRotation(env: Env) {
  const aws = readAwsConfig(env);
  const client = new SecretsManagerClient({
    region: aws.AWS_REGION,
    ...(aws.SECRETS_MANAGER_ENDPOINT ? { endpoint: aws.SECRETS_MANAGER_ENDPOINT } : {}),
  });
  const level = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'warn' || env.LOG_LEVEL === 'error' ? env.LOG_LEVEL : 'info';
  return createSigningKeyRotation({ client, clock: () => new Date(), log: createLogger('rotate-signing-key', level) });
}
