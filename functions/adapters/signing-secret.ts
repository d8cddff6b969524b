import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsConfig, SigningConfig } from '../config';

/**
 * The link-signing key: given directly (local stack, tests) or fetched once
 * from Secrets Manager (AWS) and kept for the life of the process. Never logged.
 */
export function signingSecretSource(signing: SigningConfig, aws: AwsConfig): () => Promise<string> {
  const direct = signing.LINK_SIGNING_SECRET;
  if (direct) return () => Promise.resolve(direct);
  const secretId = signing.LINK_SIGNING_SECRET_ARN ?? '';
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= new SecretsManagerClient({
      region: aws.AWS_REGION,
      ...(aws.SECRETS_MANAGER_ENDPOINT ? { endpoint: aws.SECRETS_MANAGER_ENDPOINT } : {}),
    })
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((result) => {
        if (!result.SecretString || result.SecretString.length < 32) throw new Error('link-signing secret is missing or shorter than 32 characters');
        return result.SecretString;
      })
      .catch((error: unknown) => {
        cached = undefined; // retry on the next request instead of caching a failure
        throw error;
      });
    return cached;
  };
}
