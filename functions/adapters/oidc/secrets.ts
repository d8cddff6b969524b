import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsConfig } from '../../config';

/** A secret string, given directly or fetched from Secrets Manager; never logged. */
export type SecretSource = () => Promise<string>;

export interface SecretSourceOptions {
  /** How long a fetched value is used before it is fetched again. */
  ttlMs?: number;
  now?: () => number;
  client?: SecretsManagerClient;
}

/** Five minutes, as for the link-signing key (adapters/signing-secret.ts). */
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * The session-signing key or the OIDC client secret: the value itself (local
 * stack, tests) or the ARN of a Secrets Manager secret (AWS), fetched on first
 * use and cached, as signing-secret.ts does for the link-signing key. `what`
 * names the secret in errors, never its value.
 */
export function secretSource(source: { value?: string | undefined; arn?: string | undefined }, aws: AwsConfig, what: string, options: SecretSourceOptions = {}): SecretSource {
  const direct = source.value;
  if (direct) return () => Promise.resolve(direct);
  const secretId = source.arn ?? '';
  const client =
    options.client ??
    new SecretsManagerClient({ region: aws.AWS_REGION, ...(aws.SECRETS_MANAGER_ENDPOINT ? { endpoint: aws.SECRETS_MANAGER_ENDPOINT } : {}) });
  return cachedSecret(async () => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!result.SecretString) throw new Error(`the ${what} secret has no string value`);
    return result.SecretString;
  }, options);
}

/** Concurrent callers share one fetch; a value older than the TTL is refetched, and kept when the refetch fails. */
export function cachedSecret(fetchValue: () => Promise<string>, options: Pick<SecretSourceOptions, 'ttlMs' | 'now'> = {}): SecretSource {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  let cached: { value: string; at: number } | undefined;
  let inflight: Promise<string> | undefined;
  const refresh = (): Promise<string> =>
    (inflight ??= fetchValue()
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => {
        inflight = undefined;
      }));
  return async () => {
    if (!cached) return refresh(); // a failure is not cached: the next call tries again
    if (now() - cached.at < ttlMs) return cached.value;
    const stale = cached.value;
    return refresh().catch(() => stale);
  };
}
