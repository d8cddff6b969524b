import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * EKS bearer tokens, built the way aws-iam-authenticator builds them: a SigV4
 * presigned STS GetCallerIdentity URL, with the cluster name in the signed
 * `x-k8s-aws-id` header, base64url-encoded (no padding) after `k8s-aws-v1.`.
 * EKS accepts such a token for 15 minutes after its signing time.
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
const PRESIGN_EXPIRES_SECONDS = 60;
/** Tokens are valid for 15 minutes; reuse one for 10. */
export const EKS_TOKEN_TTL_MS = 10 * 60 * 1000;

export function stsHostname(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

export interface EksTokenInput {
  credentials: AwsCredentials;
  region: string;
  clusterName: string;
  signingDate: Date;
}

/** Deterministic for given inputs: no clock, no environment, no network. */
export async function buildEksToken({ credentials, region, clusterName, signingDate }: EksTokenInput): Promise<string> {
  const hostname = stsHostname(region);
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
  });
  const presigned = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => [key, v ?? ''] as const))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return EKS_TOKEN_PREFIX + Buffer.from(`https://${hostname}/?${query}`).toString('base64url');
}

export interface EksTokenProviderOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialsProvider;
  now?: () => Date;
  ttlMs?: number;
}

/**
 * Returns a function that yields a token, cached for `ttlMs` (10 minutes) or
 * until a minute before the credentials expire, whichever is sooner.
 */
export function createEksTokenProvider(options: EksTokenProviderOptions): () => Promise<string> {
  const now = options.now ?? (() => new Date());
  const ttlMs = options.ttlMs ?? EKS_TOKEN_TTL_MS;
  let cached: { token: Promise<string>; validUntil: number } | undefined;
  return () => {
    const signingDate = now();
    if (cached && signingDate.getTime() < cached.validUntil) return cached.token;
    const entry = { token: Promise.resolve(''), validUntil: signingDate.getTime() + ttlMs };
    entry.token = options.credentials().then((credentials) => {
      const credentialsEnd = credentials.expiration ? credentials.expiration.getTime() - 60_000 : Infinity;
      entry.validUntil = Math.min(entry.validUntil, credentialsEnd);
      return buildEksToken({ credentials, region: options.region, clusterName: options.clusterName, signingDate });
    });
    entry.token.catch(() => {
      if (cached === entry) cached = undefined;
    });
    cached = entry;
    return entry.token;
  };
}
