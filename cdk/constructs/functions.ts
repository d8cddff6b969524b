import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ClusterSettings, GatekeeperSettings } from '../settings';
import type { Data } from './data';
import type { DashboardSignIn } from './sign-in';
import { GatekeeperFunction } from './gatekeeper-function';

export interface FunctionsProps {
  data: Data;
  settings: GatekeeperSettings;
  /** Origin of approval links, without a trailing slash. */
  publicBaseUrl: string;
  /** Dashboard sign-in: the API's OIDC_* and SESSION_SECRET_ARN, and read access to those secrets. */
  signIn: DashboardSignIn;
}

/** CLUSTERS (functions/config): every cluster but its namespaces, which only IAM (the access entries) needs. */
export const clustersVariable = (clusters: ClusterSettings[]): string =>
  JSON.stringify(clusters.map(({ name, eksClusterName, endpoint, certificateAuthority }) => ({ name, eksClusterName, endpoint, certificateAuthority })));

/** Poll a rollout for up to ten minutes; the deploy Lambdas time out after fifteen. */
const rolloutTimeoutSeconds = 600;
const rolloutPollMs = 5000;

/**
 * The API's two faces, the step and the reconciler Lambdas. Each gets the table; everything that depends on resources
 * created later (state machine, SES identity, EKS access) is wired by the stack.
 */
export class Functions extends Construct {
  /** The Hono app's API face: /v1, the emailed approval links, the OpenAPI document. */
  readonly api: GatekeeperFunction;
  /** The same app's dashboard face: sign-in, pages and assets (kept out of the API's cold start). */
  readonly dashboard: GatekeeperFunction;
  readonly deploy: GatekeeperFunction;
  readonly rollback: GatekeeperFunction;
  readonly runChecks: GatekeeperFunction;
  readonly requestApproval: GatekeeperFunction;
  readonly recordOutcome: GatekeeperFunction;
  readonly reconcile: GatekeeperFunction;
  /** Signs a checkpoint at each audit chain's head every hour, so the API's verify reads only what is new. */
  readonly auditCheckpointer: GatekeeperFunction;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { data, settings, publicBaseUrl, signIn } = props;
    const tableEnv = { TABLE_NAME: data.table.tableName };
    const signingEnv = { LINK_SIGNING_SECRET_ARN: data.signingSecret.secretArn };
    const clusterEnv = {
      CLUSTERS: clustersVariable(settings.clusters),
      ROLLOUT_TIMEOUT_SECONDS: String(rolloutTimeoutSeconds),
      ROLLOUT_POLL_MS: String(rolloutPollMs),
      METRICS_EMF: 'on',
    };
    const rolloutTimeout = Duration.minutes(15);

    // Both faces run the same use cases with the same configuration (functions/runtime/api.ts reads it all).
    const faceEnv = { ...tableEnv, ...signingEnv, PUBLIC_BASE_URL: publicBaseUrl, MAIL_FROM: settings.mail.from, ...signIn.environment };
    this.api = new GatekeeperFunction(this, 'Api', {
      bundle: 'api',
      description: 'Gatekeeper CI API and approval links (Hono)',
      memorySize: 512,
      timeout: Duration.seconds(29),
      environment: faceEnv,
    });
    this.dashboard = new GatekeeperFunction(this, 'Dashboard', {
      bundle: 'dashboard',
      description: 'Gatekeeper dashboard: sign-in, pages and assets (Hono)',
      memorySize: 512,
      timeout: Duration.seconds(29),
      environment: faceEnv,
    });
    this.deploy = new GatekeeperFunction(this, 'Deploy', {
      bundle: 'deploy',
      description: 'Gatekeeper step: set the image on a Deployment and wait for the rollout',
      memorySize: 1024,
      timeout: rolloutTimeout,
      environment: { ...tableEnv, ...clusterEnv },
    });
    this.rollback = new GatekeeperFunction(this, 'Rollback', {
      bundle: 'rollback',
      description: 'Gatekeeper step: restore the previous image and wait for the rollout',
      memorySize: 1024,
      timeout: rolloutTimeout,
      environment: { ...tableEnv, ...clusterEnv },
    });
    this.runChecks = new GatekeeperFunction(this, 'RunChecks', {
      bundle: 'runChecks',
      description: 'Gatekeeper step: run pre- and post-deployment checks (Kubernetes Jobs, HTTP, Prometheus)',
      memorySize: 1024,
      // Waits on Jobs and repeated evaluations; outbound HTTPS (HTTP and Prometheus checks) needs no VPC.
      timeout: rolloutTimeout,
      environment: { ...tableEnv, ...clusterEnv },
    });
    this.requestApproval = new GatekeeperFunction(this, 'RequestApproval', {
      bundle: 'requestApproval',
      description: 'Gatekeeper step: email signed approval links and park the task token',
      memorySize: 512,
      timeout: Duration.seconds(30),
      // Reads what the cluster runs ("running now" for approvers, drift): the cluster settings too.
      environment: { ...tableEnv, ...signingEnv, ...clusterEnv, MAIL_FROM: settings.mail.from, PUBLIC_BASE_URL: publicBaseUrl },
    });
    this.recordOutcome = new GatekeeperFunction(this, 'RecordOutcome', {
      bundle: 'recordOutcome',
      description: 'Gatekeeper step: record the final state of a release',
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: tableEnv,
    });

    this.reconcile = new GatekeeperFunction(this, 'Reconcile', {
      bundle: 'reconcile',
      description: 'Gatekeeper reconciler: delivers the outbox, ends stranded releases, detects drift (every minute)',
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: { ...tableEnv, ...clusterEnv },
    });

    this.auditCheckpointer = new GatekeeperFunction(this, 'AuditCheckpointer', {
      bundle: 'checkpointAudit',
      description: 'Gatekeeper audit checkpointer: verifies each chain since its last checkpoint and signs one at the head (hourly)',
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: { ...tableEnv, ...signingEnv },
    });

    for (const fn of [this.api, this.dashboard, this.deploy, this.rollback, this.runChecks, this.requestApproval, this.recordOutcome, this.reconcile, this.auditCheckpointer]) {
      data.allowItemAccess(fn);
    }
    data.allowSigningSecretRead(this.api);
    data.allowSigningSecretRead(this.dashboard);
    // Only the dashboard signs people in: the API face never reads the sign-in secrets.
    signIn.allowRead(this.dashboard);
    data.allowSigningSecretRead(this.requestApproval);
    data.allowSigningSecretRead(this.auditCheckpointer);
  }
}
