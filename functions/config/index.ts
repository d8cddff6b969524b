// zod/mini: the same validation at a fraction of the bundle (cold start) cost.
import * as z from 'zod/mini';
import { isName, NAME_RULE } from '../domain/names';

/**
 * Configuration is read once per process from an environment-like record and
 * validated here. Lambda passes `process.env`; the local stack builds the record
 * itself. Only endpoints and credentials differ between the two, never code.
 *
 * Each section is parsed on its own so a Lambda only needs the variables of the
 * adapters it actually uses.
 */
export type Env = Record<string, string | undefined>;

const url = () => z.url('must be an absolute URL, e.g. https://gatekeeper.example.com');
const optionalUrl = z.optional(url());
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const awsSchema = z.object({
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  DYNAMODB_ENDPOINT: optionalUrl,
  SFN_ENDPOINT: optionalUrl,
  SES_ENDPOINT: optionalUrl,
  SECRETS_MANAGER_ENDPOINT: optionalUrl,
});

const tableSchema = z.object({ TABLE_NAME: z.string().check(z.minLength(3), z.maxLength(255)) });

const arn = z.string().check(z.startsWith('arn:'));
const workflowSchema = z.object({ STATE_MACHINE_ARN: arn });

const mailSchema = z.object({
  MAIL_FROM: z.email('must be an email address (an SES identity)'),
  PUBLIC_BASE_URL: z.pipe(url(), z.transform((value: string) => value.replace(/\/+$/, ''))),
});

const signingSchema = z
  .object({
    LINK_SIGNING_SECRET: z.optional(z.string().check(z.minLength(32, 'LINK_SIGNING_SECRET must be at least 32 characters'))),
    LINK_SIGNING_SECRET_ARN: z.optional(arn),
  })
  .check(
    z.refine((v) => Boolean(v.LINK_SIGNING_SECRET) !== Boolean(v.LINK_SIGNING_SECRET_ARN), {
      message: 'set exactly one of LINK_SIGNING_SECRET (local) or LINK_SIGNING_SECRET_ARN (Secrets Manager)',
    }),
  );

const nonEmpty = z.string().check(z.minLength(1));

/** Loopback hosts: the only ones plain http is accepted for (the local stack), by configuration rather than a mode switch. */
export const isLoopbackUrl = (value: string): boolean => {
  const { hostname } = new URL(value);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

/** An https URL, or http on a loopback host. */
const issuerUrl = z.pipe(
  url(),
  z.transform((value: string, ctx) => {
    if (!value.startsWith('https://') && !isLoopbackUrl(value)) {
      ctx.issues.push({ code: 'custom', message: 'must be an https:// URL (plain http only on 127.0.0.1 or localhost)', input: value });
      return z.NEVER;
    }
    return value.replace(/\/+$/, '');
  }),
);

/** Exactly one of a value given directly (local) or the ARN of a Secrets Manager secret holding it (AWS). */
const oneSource = (direct: string, secretArn: string) =>
  z.refine<Record<string, unknown>>((v) => Boolean(v[direct]) !== Boolean(v[secretArn]), {
    message: `set exactly one of ${direct} (local) or ${secretArn} (Secrets Manager)`,
  });

/**
 * Dashboard sign-in: an OpenID Connect provider (authorization code flow with
 * PKCE) and the key that signs session cookies. OIDC_GROUPS_CLAIM names an ID
 * token claim (a list of group names, e.g. `cognito:groups`, `groups`) kept in
 * the session for a later mapping onto Gatekeeper groups.
 */
const dashboardSchema = z
  .object({
    OIDC_ISSUER: issuerUrl,
    OIDC_CLIENT_ID: z.string().check(z.minLength(1), z.maxLength(512)),
    OIDC_CLIENT_SECRET: z.optional(z.string().check(z.minLength(1))),
    OIDC_CLIENT_SECRET_ARN: z.optional(arn),
    OIDC_GROUPS_CLAIM: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    SESSION_SECRET: z.optional(z.string().check(z.minLength(32, 'SESSION_SECRET must be at least 32 characters'))),
    SESSION_SECRET_ARN: z.optional(arn),
  })
  .check(oneSource('OIDC_CLIENT_SECRET', 'OIDC_CLIENT_SECRET_ARN'), oneSource('SESSION_SECRET', 'SESSION_SECRET_ARN'));

/** Base64 PEM, as `aws eks describe-cluster` prints certificateAuthority.data. */
const isBase64Pem = (value: string): boolean =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----');

const eksClusterName = z.string().check(z.regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name'));
const eksEndpoint = z.url({ protocol: /^https$/, error: 'must be the https:// endpoint of the EKS API server' });
const certificateAuthority = z.string().check(z.refine(isBase64Pem, 'must be base64 PEM, as aws eks describe-cluster prints certificateAuthority.data'));

/** One EKS cluster of CLUSTERS. `name` is what environments call it; `eksClusterName` is its name in EKS (and in its tokens). */
const eksClusterSchema = z.object({
  name: z.string().check(z.refine(isName, `must be a cluster name (${NAME_RULE})`)),
  eksClusterName,
  endpoint: eksEndpoint,
  certificateAuthority,
});

export type EksClusterConfig = z.infer<typeof eksClusterSchema>;

const json = z.transform((text: string, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.issues.push({ code: 'custom', message: 'must be a JSON array of clusters: [{"name","eksClusterName","endpoint","certificateAuthority"}, …]', input: text });
    return z.NEVER;
  }
});

/** CLUSTERS: a JSON array of EKS clusters, at least one, names unique; the first is the default. */
const clustersSchema = z.pipe(
  z.string(),
  z.pipe(
    json,
    z.array(eksClusterSchema).check(
      z.minLength(1, 'must name at least one cluster (the first is the default)'),
      z.refine((clusters) => new Set(clusters.map((c) => c.name)).size === clusters.length, 'cluster names must be unique'),
    ),
  ),
);

const LEGACY_EKS = ['EKS_CLUSTER_NAME', 'EKS_CLUSTER_ENDPOINT', 'EKS_CLUSTER_CA'] as const;

const kubernetesSchema = z.pipe(
  z
    .object({
      KUBECONFIG_PATH: z.optional(nonEmpty),
      CLUSTERS: z.optional(clustersSchema),
      // One cluster the older way: read as CLUSTERS with a single cluster named "default".
      EKS_CLUSTER_NAME: z.optional(eksClusterName),
      EKS_CLUSTER_ENDPOINT: z.optional(eksEndpoint),
      EKS_CLUSTER_CA: z.optional(certificateAuthority),
      ROLLOUT_TIMEOUT_SECONDS: positiveInt(300),
      ROLLOUT_POLL_MS: positiveInt(2000),
    })
    .check(
      z.superRefine((v, ctx) => {
        const legacy = LEGACY_EKS.filter((key) => v[key] !== undefined);
        if (legacy.length > 0 && legacy.length < LEGACY_EKS.length) {
          ctx.addIssue({ code: 'custom', message: `${LEGACY_EKS.join(', ')} go together (missing ${LEGACY_EKS.filter((key) => !legacy.includes(key)).join(', ')}); or use CLUSTERS` });
          return;
        }
        const ways = [v.KUBECONFIG_PATH && 'KUBECONFIG_PATH', v.CLUSTERS && 'CLUSTERS', legacy.length > 0 && LEGACY_EKS.join('/')].filter(Boolean);
        if (ways.length !== 1) {
          ctx.addIssue({
            code: 'custom',
            message:
              ways.length === 0
                ? 'set KUBECONFIG_PATH (a kubeconfig: each context is a cluster, the current one the default) or CLUSTERS (a JSON array of EKS clusters: name, eksClusterName, endpoint, certificateAuthority; the first is the default)'
                : `set only one of KUBECONFIG_PATH, CLUSTERS or ${LEGACY_EKS.join('/')} (found ${ways.join(' and ')})`,
          });
        }
      }),
    ),
  z.transform((v): KubernetesConfig => {
    const rollout = { ROLLOUT_TIMEOUT_SECONDS: v.ROLLOUT_TIMEOUT_SECONDS, ROLLOUT_POLL_MS: v.ROLLOUT_POLL_MS };
    if (v.KUBECONFIG_PATH) return { KUBECONFIG_PATH: v.KUBECONFIG_PATH, ...rollout };
    if (v.CLUSTERS) return { CLUSTERS: v.CLUSTERS, ...rollout };
    // The check above let through only a complete set of the three.
    const legacy = { name: 'default', eksClusterName: v.EKS_CLUSTER_NAME ?? '', endpoint: v.EKS_CLUSTER_ENDPOINT ?? '', certificateAuthority: v.EKS_CLUSTER_CA ?? '' };
    return { CLUSTERS: [legacy], ...rollout };
  }),
);

/**
 * Where the clusters are: exactly one of a kubeconfig (every context a cluster
 * named after it, the current context the default) or EKS clusters (the first
 * the default).
 */
export interface KubernetesConfig {
  KUBECONFIG_PATH?: string;
  CLUSTERS?: EksClusterConfig[];
  ROLLOUT_TIMEOUT_SECONDS: number;
  ROLLOUT_POLL_MS: number;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function parse<T extends z.ZodMiniType>(schema: T, env: Env, section: string): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || section}: ${i.message}`).join('; ');
    throw new ConfigurationError(`invalid ${section} configuration: ${problems}`);
  }
  return result.data;
}

export const readAwsConfig = (env: Env) => parse(awsSchema, env, 'aws');
export const readTableConfig = (env: Env) => parse(tableSchema, env, 'table');
export const readWorkflowConfig = (env: Env) => parse(workflowSchema, env, 'workflow');
export const readMailConfig = (env: Env) => parse(mailSchema, env, 'mail');
export const readSigningConfig = (env: Env) => parse(signingSchema, env, 'signing');
export const readKubernetesConfig = (env: Env): KubernetesConfig => parse(kubernetesSchema, env, 'kubernetes');
export const readDashboardConfig = (env: Env) => parse(dashboardSchema, env, 'dashboard');

const seconds = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.minimum(0)), fallback);
/** Webhook retries (B17): first delay, doubling up to the cap, for the horizon from the event. Tests shorten them; 0 retries at once. */
const webhookSchema = z.object({ WEBHOOK_RETRY_BASE_SECONDS: seconds(30), WEBHOOK_RETRY_CAP_SECONDS: seconds(3600), WEBHOOK_RETRY_HORIZON_SECONDS: seconds(86_400) });
export const readWebhookRetryConfig = (env: Env) => {
  const parsed = parse(webhookSchema, env, 'webhook');
  return { baseSeconds: parsed.WEBHOOK_RETRY_BASE_SECONDS, capSeconds: parsed.WEBHOOK_RETRY_CAP_SECONDS, giveUpAfterSeconds: parsed.WEBHOOK_RETRY_HORIZON_SECONDS };
};

export type AwsConfig = ReturnType<typeof readAwsConfig>;
export type MailConfig = ReturnType<typeof readMailConfig>;
export type SigningConfig = ReturnType<typeof readSigningConfig>;
export type DashboardConfig = ReturnType<typeof readDashboardConfig>;
