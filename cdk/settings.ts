import { z } from 'zod';
import { MIN_ROTATION_INTERVAL_DAYS } from '../functions/domain/link-keys';
import { isName, NAME_RULE } from '../functions/domain/names';

/** Deployment settings, read from CDK context (cdk.json, overridable with `-c key=value`). */
export interface GatekeeperSettings {
  /** The EKS clusters Gatekeeper deploys to; the first is the default (environments that name no cluster). */
  clusters: ClusterSettings[];
  mail: MailSettings;
  /** Public origin of the approval links and CI API; undefined means the HTTP API endpoint. */
  publicBaseUrl: string | undefined;
  /** The HTTP API's default-stage throttle (per account and region, for all callers together). */
  apiThrottle: ApiThrottleSettings;
  /** Days between scheduled rotations of the link-signing key. */
  linkKeyRotationDays: number;
  /** Who people sign in to the dashboard with: a Cognito user pool of the stack's own (default) or an external OpenID Connect provider. */
  dashboardSignIn: DashboardSignInSettings;
}

/** The ID token claim Cognito puts a user's groups in. */
export const COGNITO_GROUPS_CLAIM = 'cognito:groups';

export type DashboardSignInSettings =
  | {
      provider: 'cognito';
      /** The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); undefined: `gatekeeper-<the stack id's UUID>`. */
      domainPrefix: string | undefined;
      groupsClaim: string;
    }
  | {
      provider: 'external';
      /** The provider's issuer URL (https): Okta, Entra ID, Google, … */
      issuer: string;
      clientId: string;
      /** Full ARN (with its six-character suffix) of the Secrets Manager secret holding the client secret. */
      clientSecretArn: string;
      groupsClaim: string | undefined;
    };

export interface ApiThrottleSettings {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Token-bucket size: how many requests may arrive at once before the rate applies. */
  burstLimit: number;
}

/**
 * Defaults sized for a deploy gate (CI starts a few releases, people click a few
 * links), far under the account's 10,000 rps, so one noisy client cannot run up
 * the Lambda and DynamoDB bill or crowd out other APIs of the account.
 */
export const defaultApiThrottle: ApiThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/**
 * Rotation interval: at least the longest approval timeout (a link's lifetime),
 * see functions/domain/link-keys.ts. Links stay valid across any rotation either
 * way (retired keys are kept by time); the floor keeps the key set small.
 */
export const defaultLinkKeyRotationDays = MIN_ROTATION_INTERVAL_DAYS;

export interface ClusterSettings {
  /** Gatekeeper's name for the cluster: what an environment's `cluster` names. */
  name: string;
  /** The cluster's name in EKS (same account and region). */
  eksClusterName: string;
  endpoint: string;
  /** Base64 PEM, as `aws eks describe-cluster` prints certificateAuthority.data. */
  certificateAuthority: string;
  /** Namespaces the deploy and rollback roles may edit (and the approval step and reconciler read). */
  namespaces: string[];
}

export interface MailSettings {
  from: string;
  /** Domain or email address created as the SES identity. */
  identity: string;
}

/** Gatekeeper's name of the one cluster the single-cluster keys (clusterName, …) describe. */
export const SINGLE_CLUSTER_NAME = 'default';

const singleClusterKeys = ['clusterName', 'clusterEndpoint', 'clusterCertificateAuthority', 'clusterNamespaces'] as const;

export const contextKeys = [
  'clusters',
  'clusterName',
  'clusterEndpoint',
  'clusterCertificateAuthority',
  'clusterNamespaces',
  'mailFrom',
  'sesIdentity',
  'publicBaseUrl',
  'apiThrottleRateLimit',
  'apiThrottleBurstLimit',
  'linkKeyRotationDays',
  'oidcIssuer',
  'oidcClientId',
  'oidcClientSecretArn',
  'oidcGroupsClaim',
  'cognitoDomainPrefix',
] as const;

const externalProviderKeys = ['oidcIssuer', 'oidcClientId', 'oidcClientSecretArn'] as const;

/** Something that can look up context, e.g. `app.node` or `stack.node`. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const domainName = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const httpsUrl = z.url({ protocol: /^https$/ }).transform((url) => url.replace(/\/+$/, ''));

/** `-c` gives strings; cdk.json gives JSON. Accept a JSON array or a comma-separated list. */
const stringList = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text.split(',').map((item) => item.trim()).filter(Boolean);
}, z.array(z.string().regex(dnsLabel, 'must be a Kubernetes namespace name')).min(1));

const isBase64Pem = (value: string): boolean =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----');

/** `-c` gives strings, cdk.json JSON: parse a string that looks like JSON, leave anything else to the schema. */
const jsonText = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
};

const eksClusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name');
const certificateAuthority = z.string().refine(isBase64Pem, 'must be base64-encoded PEM certificate data');

const clusterSchema = z.strictObject({
  name: z.string().refine(isName, `must be a cluster name (${NAME_RULE})`),
  eksClusterName,
  endpoint: httpsUrl,
  certificateAuthority,
  namespaces: stringList,
});

const CLUSTERS_EXAMPLE =
  '[{"name":"eu","eksClusterName":"prod-eu","endpoint":"https://….eks.amazonaws.com","certificateAuthority":"<base64 PEM>","namespaces":["staging","prod"]}]';

/** `clusters`: a JSON array (cdk.json or `-c clusters='[…]'`), names and EKS clusters each listed once. */
const clustersSchema = z.preprocess(
  jsonText,
  z
    .array(clusterSchema, { error: `must be a JSON array of clusters, e.g. ${CLUSTERS_EXAMPLE}` })
    .min(1, 'must list at least one cluster (the first is the default)')
    .superRefine((clusters, ctx) => {
      for (const key of ['name', 'eksClusterName'] as const) {
        const seen = clusters.map((c) => c[key]);
        const twice = [...new Set(seen.filter((value, i) => seen.indexOf(value) !== i))];
        if (twice.length > 0) ctx.addIssue({ code: 'custom', message: `each ${key} may appear once (${twice.join(', ')} appear more often)` });
      }
    }),
);

/** A full Secrets Manager secret ARN: IAM grants read on exactly it, so its random suffix must be there. */
const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/, 'must be the full ARN of a Secrets Manager secret, with its six-character suffix (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf)');
/** Cognito's rules for a domain prefix: lowercase letters, digits and hyphens, and none of its reserved words. */
const cognitoDomainPrefix = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen')
  .refine((value) => !/aws|amazon|cognito/.test(value), 'may not contain aws, amazon or cognito (Cognito reserves them)');
const optionalText = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

/** `-c` gives strings, cdk.json numbers; absent or empty takes the default. */
const wholeNumber = (fallback: number, min: number, max: number) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), z.coerce.number().int().min(min).max(max).default(fallback));

const contextSchema = z
  .object({
    clusters: clustersSchema.optional(),
    // One cluster, the older way: read as `clusters` with a single cluster named "default".
    clusterName: eksClusterName.optional(),
    clusterEndpoint: httpsUrl.optional(),
    clusterCertificateAuthority: certificateAuthority.optional(),
    clusterNamespaces: stringList.optional(),
    mailFrom: z.email(),
    sesIdentity: z.union([z.email(), z.string().regex(domainName)], { error: 'must be a domain or an email address' }),
    publicBaseUrl: z.preprocess((value) => (value === '' ? undefined : value), httpsUrl.optional()),
    // API Gateway's own ceilings: 10,000 rps and a 5,000 burst per account and region.
    apiThrottleRateLimit: wholeNumber(defaultApiThrottle.rateLimit, 1, 10_000),
    apiThrottleBurstLimit: wholeNumber(defaultApiThrottle.burstLimit, 1, 5_000),
    // Secrets Manager schedules rotations up to every 1,000 days.
    linkKeyRotationDays: wholeNumber(defaultLinkKeyRotationDays, MIN_ROTATION_INTERVAL_DAYS, 1_000),
    // Dashboard sign-in: all three for an external OpenID Connect provider, none for the stack's own Cognito user pool.
    oidcIssuer: optionalText(z.url({ protocol: /^https$/, error: 'must be the provider\'s https:// issuer URL' }).transform((url) => url.replace(/\/+$/, ''))),
    oidcClientId: optionalText(z.string().regex(/^[\x21-\x7e]{1,512}$/, 'must be the client id the provider gave (no spaces)')),
    oidcClientSecretArn: optionalText(secretArn),
    oidcGroupsClaim: optionalText(z.string().min(1).max(128)),
    cognitoDomainPrefix: optionalText(cognitoDomainPrefix),
  })
  .refine((c) => mailFromBelongsTo(c.mailFrom, c.sesIdentity), {
    path: ['mailFrom'],
    message: 'must be the sesIdentity address, or an address at the sesIdentity domain (or a subdomain of it)',
  })
  .superRefine((c, ctx) => {
    const external = externalProviderKeys.filter((key) => c[key] !== undefined);
    if (external.length > 0 && external.length < externalProviderKeys.length) {
      for (const key of externalProviderKeys.filter((k) => c[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `required with ${external.join(', ')}: an external provider needs ${externalProviderKeys.join(', ')} (or none of them for the stack's own Cognito user pool)` });
      }
    }
    if (external.length > 0 && c.cognitoDomainPrefix !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cognitoDomainPrefix'], message: 'only for the stack\'s own Cognito user pool, not with an external provider (oidcIssuer)' });
    }
  })
  .superRefine((c, ctx) => {
    const single = singleClusterKeys.filter((key) => c[key] !== undefined);
    if (c.clusters && single.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['clusters'], message: `set either clusters or the single-cluster keys (${singleClusterKeys.join(', ')}), not both: ${single.join(', ')} ${single.length > 1 ? 'are' : 'is'} set too` });
    } else if (!c.clusters && single.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['clusters'], message: `required: the EKS clusters to deploy to, e.g. ${CLUSTERS_EXAMPLE}` });
    } else if (!c.clusters) {
      for (const key of singleClusterKeys.filter((k) => c[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `required with ${single.join(', ')} (or describe the cluster in clusters instead)` });
      }
    }
  });

function mailFromBelongsTo(mailFrom: string, identity: string): boolean {
  const from = mailFrom.toLowerCase();
  const id = identity.toLowerCase();
  if (id.includes('@')) return from === id;
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return domain === id || domain.endsWith(`.${id}`);
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export function readSettings(context: ContextSource): GatekeeperSettings {
  const raw = Object.fromEntries(contextKeys.map((key) => [key, context.tryGetContext(key)]));
  const result = contextSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new SettingsError(`invalid CDK context (set it in cdk.json or with -c key=value):\n${problems}`);
  }
  const c = result.data;
  const clusters = c.clusters ?? [
    {
      name: SINGLE_CLUSTER_NAME,
      eksClusterName: c.clusterName ?? '',
      endpoint: c.clusterEndpoint ?? '',
      certificateAuthority: c.clusterCertificateAuthority ?? '',
      namespaces: c.clusterNamespaces ?? [],
    },
  ];
  return {
    clusters: clusters.map((cluster) => ({ ...cluster, namespaces: [...new Set(cluster.namespaces)] })),
    mail: { from: c.mailFrom, identity: c.sesIdentity },
    publicBaseUrl: c.publicBaseUrl,
    apiThrottle: { rateLimit: c.apiThrottleRateLimit, burstLimit: c.apiThrottleBurstLimit },
    linkKeyRotationDays: c.linkKeyRotationDays,
    dashboardSignIn:
      c.oidcIssuer && c.oidcClientId && c.oidcClientSecretArn
        ? { provider: 'external', issuer: c.oidcIssuer, clientId: c.oidcClientId, clientSecretArn: c.oidcClientSecretArn, groupsClaim: c.oidcGroupsClaim }
        : { provider: 'cognito', domainPrefix: c.cognitoDomainPrefix, groupsClaim: c.oidcGroupsClaim ?? COGNITO_GROUPS_CLAIM },
  };
}
