import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { findLinkKey, parseLinkKeySet, type LinkKeySet } from '../domain/link-keys';
import type { AwsConfig, SigningConfig } from '../config';

/** A `SigningKeySource` (domain/approval-link.ts) that always answers with a key set. */
export type KeySetSource = (keyId?: string) => Promise<LinkKeySet>;

export interface SigningKeyCacheOptions {
  /** How long a fetched key set is used before it is fetched again. */
  ttlMs?: number;
  /** At most one extra fetch per this interval for links naming an unknown key (forged ids must not hammer the API). */
  unknownKeyRefetchMs?: number;
  now?: () => number;
  client?: SecretsManagerClient;
}

/**
 * Five minutes: a signer uses a retired key at most this long after a rotation,
 * far inside the day of slack in the key retention (domain/link-keys.ts).
 */
const DEFAULT_TTL_MS = 5 * 60_000;
const DEFAULT_UNKNOWN_KEY_REFETCH_MS = 30_000;

/**
 * The link-signing keys: given directly (local stack, tests; a single key) or
 * fetched from Secrets Manager (AWS; a key set, rotated) and cached. A link that
 * names a key the cached set lacks was probably signed after a rotation this
 * process has not seen yet, so it triggers a refetch. Never logged.
 */
export function signingSecretSource(signing: SigningConfig, aws: AwsConfig, options: SigningKeyCacheOptions = {}): KeySetSource {
  const direct = signing.LINK_SIGNING_SECRET;
  if (direct) {
    const keys = parseLinkKeySet(direct);
    return () => Promise.resolve(keys);
  }
  const secretId = signing.LINK_SIGNING_SECRET_ARN ?? '';
  const client =
    options.client ??
    new SecretsManagerClient({ region: aws.AWS_REGION, ...(aws.SECRETS_MANAGER_ENDPOINT ? { endpoint: aws.SECRETS_MANAGER_ENDPOINT } : {}) });
  const fetchKeys = async (): Promise<LinkKeySet> => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!result.SecretString) throw new Error('the link-signing secret has no string value');
    return parseLinkKeySet(result.SecretString);
  };
  return cachedKeySource(fetchKeys, options);
}

/** The caching policy on its own, for any fetch. */
export function cachedKeySource(fetchKeys: () => Promise<LinkKeySet>, options: SigningKeyCacheOptions = {}): KeySetSource {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const refetchMs = options.unknownKeyRefetchMs ?? DEFAULT_UNKNOWN_KEY_REFETCH_MS;
  const now = options.now ?? Date.now;
  let cached: { keys: LinkKeySet; at: number } | undefined;
  let inflight: Promise<LinkKeySet> | undefined;
  let lastUnknownKeyFetch = Number.NEGATIVE_INFINITY;

  // Concurrent callers share one request.
  const refresh = (): Promise<LinkKeySet> =>
    (inflight ??= fetchKeys()
      .then((keys) => {
        cached = { keys, at: now() };
        return keys;
      })
      .finally(() => {
        inflight = undefined;
      }));

  return async (keyId?: string) => {
    const t = now();
    if (!cached) return refresh(); // a failure is not cached: the next call tries again
    const expired = t - cached.at >= ttlMs;
    const unknown = keyId !== undefined && !findLinkKey(cached.keys, keyId) && t - lastUnknownKeyFetch >= refetchMs;
    if (!expired && !unknown) return cached.keys;
    if (unknown) lastUnknownKeyFetch = t;
    try {
      return await refresh();
    } catch (error) {
      // Keys that were right minutes ago beat refusing every link while Secrets Manager is unreachable.
      if (expired && !unknown) return cached.keys;
      throw error;
    }
  };
}
