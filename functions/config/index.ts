// zod/mini: the same validation at a fraction of the bundle (cold start) cost.
import * as z from 'zod/mini';

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
const kubernetesSchema = z
  .object({
    KUBECONFIG_PATH: z.optional(nonEmpty),
    EKS_CLUSTER_NAME: z.optional(nonEmpty),
    EKS_CLUSTER_ENDPOINT: optionalUrl,
    /** Base64 PEM, as `aws eks describe-cluster` prints certificateAuthority.data. */
    EKS_CLUSTER_CA: z.optional(nonEmpty),
    ROLLOUT_TIMEOUT_SECONDS: positiveInt(300),
    ROLLOUT_POLL_MS: positiveInt(2000),
  })
  .check(
    z.refine((v) => Boolean(v.KUBECONFIG_PATH) !== Boolean(v.EKS_CLUSTER_NAME && v.EKS_CLUSTER_ENDPOINT && v.EKS_CLUSTER_CA), {
      message: 'set either KUBECONFIG_PATH or all of EKS_CLUSTER_NAME, EKS_CLUSTER_ENDPOINT, EKS_CLUSTER_CA',
    }),
  );

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
export const readKubernetesConfig = (env: Env) => parse(kubernetesSchema, env, 'kubernetes');

export type AwsConfig = ReturnType<typeof readAwsConfig>;
export type KubernetesConfig = ReturnType<typeof readKubernetesConfig>;
export type MailConfig = ReturnType<typeof readMailConfig>;
export type SigningConfig = ReturnType<typeof readSigningConfig>;
