import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../functions/api/app';
import { dashboardRoutes } from '../functions/api/dashboard/routes';
import type { Env } from '../functions/config';
import { buildApiDeps } from '../functions/runtime/api';
import { buildDeployStep, buildRollbackStep } from '../functions/runtime/deploy';
import { buildRunChecksStep } from '../functions/runtime/run-checks';
import { buildRecordOutcomeStep } from '../functions/runtime/record-outcome';
import { buildEventsHandler } from '../functions/runtime/events';
import { buildAuditCheckpointer } from '../functions/runtime/audit-checkpointer';
import { buildReconciler } from '../functions/runtime/reconcile';
import { buildRequestApprovalStep } from '../functions/runtime/request-approval';
import type { CheckpointPassReport } from '../functions/usecases/audit-checkpoints';
import type { ReconcileReport } from '../functions/usecases/reconcile';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { freePort } from './free-port';
import { startLocalIdp, type LocalIdp } from './idp';
import { startSesEmulator, type SesEmulator } from './ses-local';
import { type KubernetesSimulator, startKubernetesSimulators, writeCombinedKubeconfig } from './k8s-simulator';
import { LOCAL_CLUSTERS, type LocalCluster, seedDemoWorkloads } from './demo-workloads';
import { seedDemo } from './seed';
import { applyDefinitionSubstitutions, startStepFunctionsEmulator, type StepFunctionsEmulator } from './sfn-emulator';
import { ensureTable } from './tables';
import { startStreamPoller } from './stream-poller';

export interface LocalStackOptions {
  /** Where the kubeconfig (and, with `persist`, all data) goes. */
  dataDir: string;
  /** Keep DynamoDB and cluster state on disk across restarts (npm start) or in memory (tests). */
  persist: boolean;
  /** 0 or absent picks a free port. `kubernetes` is the eu cluster's, `kubernetesUs` the us cluster's. */
  ports?: Partial<Record<'api' | 'mailbox' | 'dynamodb' | 'sfn' | 'kubernetes' | 'kubernetesUs' | 'idp', number>>;
  /** Reuse a running DynamoDB Local instead of starting one. */
  dynamodbEndpoint?: string;
  tableName: string;
  ciToken: string;
  /** Personal token of the seeded admin (admin@example.com). */
  adminToken: string;
  signingSecret: string;
  /** Signs dashboard session cookies (≥ 32 characters); generated for this stack when absent. */
  sessionSecret?: string;
  approvalTimeoutSeconds: number;
  rollout: { delayMs: number; progressDeadlineMs: number; timeoutSeconds: number; pollMs: number };
  /** How long a check's Job runs in the simulated clusters (the simulator's default, 200 ms, when absent). */
  jobDurationMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How often the reconciler runs (as the EventBridge schedule does in AWS); 0 = only when `reconcile()` is called. Default 60 s. */
  reconcileIntervalMs?: number;
  /** How often the audit checkpointer runs (hourly in AWS); 0 = only when `checkpointAudit()` is called. Default 1 h, first pass after one interval. */
  checkpointIntervalMs?: number;
  /** The first webhook retry's delay (WEBHOOK_RETRY_BASE_SECONDS; 30 s when absent, 0 retries on the next reconciler pass). */
  webhookRetryBaseSeconds?: number;
  /** Serve the Kubernetes simulator over HTTPS so kubectl (which never sends tokens over http) can use it. */
  kubernetesTls?: boolean;
  log?: (line: string) => void;
  /**
   * The time as the API (sessions, step-up, votes) and the local provider's sign-ins (auth_time) see it; the real
   * time when absent. Tests move it forward to age a sign-in (step-up after 15 minutes).
   */
  clock?: () => Date;
}

export interface LocalStack {
  apiUrl: string;
  mailboxUrl: string;
  dynamodbEndpoint: string;
  sfnUrl: string;
  /** The local OpenID Connect provider people sign in to the dashboard with (its issuer URL). */
  idpUrl: string;
  idp: LocalIdp;
  /** The eu cluster's API server (the default cluster, the kubeconfig's current context). */
  kubernetesUrl: string;
  /** One context per cluster (`eu`, current, and `us`). */
  kubeconfigPath: string;
  stateMachineArn: string;
  /** The configuration the functions run with: what Lambda would get as environment variables. */
  env: Env;
  /** The eu cluster, Gatekeeper's default: where the environments that name no cluster live. */
  kubernetes: KubernetesSimulator;
  /** Every simulated cluster by name (its kubeconfig context and Gatekeeper's name for it): eu and us. */
  clusters: Record<LocalCluster, KubernetesSimulator>;
  mailbox: SesEmulator;
  sfn: StepFunctionsEmulator;
  /** One reconciler pass, now (the same handler the timer and, in AWS, the schedule run). */
  reconcile(): Promise<ReconcileReport>;
  /** One audit checkpointer pass, now (the same handler the timer and, in AWS, the hourly schedule run). */
  checkpointAudit(): Promise<CheckpointPassReport>;
  close(): Promise<void>;
}

const STATE_MACHINE = 'gatekeeper-release';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:gatekeeper-${name}`;

/**
 * Brings up every part on loopback: DynamoDB Local, the SES emulator, two
 * simulated Kubernetes clusters (eu and us), the Step Functions emulator running
 * statemachines/release.asl.json with the real step handlers, and the Hono API.
 * The functions get an environment record exactly like Lambda's, with endpoints
 * pointing here; their code does not know it is local.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const port = async (name: keyof NonNullable<LocalStackOptions['ports']>) => options.ports?.[name] || (await freePort());
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((error: Error) => log(`shutdown: ${error.message}`));
  };

  try {
    await mkdir(options.dataDir, { recursive: true });
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dataDir = options.persist ? join(options.dataDir, 'dynamodb') : undefined;
      if (dataDir) await mkdir(dataDir, { recursive: true });
      const dynamodb: DynamoDbLocal = await startDynamoDbLocal({ port: await port('dynamodb'), ...(dataDir ? { dataDir } : {}) });
      closers.push(dynamodb.stop);
      dynamodbEndpoint = dynamodb.endpoint;
    }
    await ensureTable(dynamodbEndpoint, options.tableName);
    await seedDemo(dynamodbEndpoint, options.tableName, { ciToken: options.ciToken, adminToken: options.adminToken, approvalTimeoutSeconds: options.approvalTimeoutSeconds });

    const mailbox = await startSesEmulator(await port('mailbox'));
    closers.push(() => mailbox.close());
    const mailboxUrl = mailbox.url;

    // One simulator per cluster in this process, each with its own port (0: the OS picks), certificate and state file.
    const clusterPorts: Record<LocalCluster, number> = { eu: options.ports?.kubernetes ?? 0, us: options.ports?.kubernetesUs ?? 0 };
    // Its own random token (shared by the clusters): nothing of the link-signing key may reach the kubeconfig.
    const kubernetesToken = randomBytes(24).toString('base64url');
    const started = await startKubernetesSimulators([...LOCAL_CLUSTERS], (name) => ({
      port: clusterPorts[name as LocalCluster],
      token: kubernetesToken,
      rolloutDelayMs: options.rollout.delayMs,
      progressDeadlineMs: options.rollout.progressDeadlineMs,
      jobDurationMs: options.jobDurationMs,
      tls: options.kubernetesTls ?? false,
      // eu keeps the single cluster's file name, so an existing data folder still has its state.
      ...(options.persist ? { statePath: join(options.dataDir, name === 'eu' ? 'k8s-state.json' : `k8s-state-${name}.json`) } : {}),
      log: (line) => log(`[kubernetes ${name}] ${line}`),
    }));
    for (const { simulator } of started) closers.push(() => simulator.close());
    const clusters = Object.fromEntries(started.map(({ name, simulator }) => [name, simulator])) as Record<LocalCluster, KubernetesSimulator>;
    const kubernetes = clusters.eu;
    seedDemoWorkloads(clusters);
    const kubeconfigPath = join(options.dataDir, 'kubeconfig');
    // Every context a cluster for the functions too (KUBECONFIG_PATH); eu, the current context, is the default.
    await writeCombinedKubeconfig(kubeconfigPath, started, 'eu');

    const apiPort = await port('api');
    const sfnPort = await port('sfn');
    const publicBaseUrl = `http://127.0.0.1:${apiPort}`;
    // The dashboard's identity provider: a real OIDC provider with the seeded people (password "gatekeeper").
    const idp = await startLocalIdp({
      port: await port('idp'),
      redirectUri: `${publicBaseUrl}/auth/callback`,
      postLogoutRedirectUri: `${publicBaseUrl}/auth/signed-out`,
      ...(options.clock ? { clock: options.clock } : {}),
      log,
    });
    closers.push(() => idp.close());
    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE}`;
    const env: Env = {
      AWS_REGION: REGION,
      TABLE_NAME: options.tableName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      SES_ENDPOINT: mailboxUrl,
      SFN_ENDPOINT: `http://127.0.0.1:${sfnPort}`,
      STATE_MACHINE_ARN: stateMachineArn,
      MAIL_FROM: 'gatekeeper@example.com',
      PUBLIC_BASE_URL: publicBaseUrl,
      LINK_SIGNING_SECRET: options.signingSecret,
      OIDC_ISSUER: idp.url,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_GROUPS_CLAIM: 'groups',
      SESSION_SECRET: options.sessionSecret ?? randomBytes(32).toString('base64url'),
      KUBECONFIG_PATH: kubeconfigPath,
      ROLLOUT_TIMEOUT_SECONDS: String(options.rollout.timeoutSeconds),
      ROLLOUT_POLL_MS: String(options.rollout.pollMs),
      LOG_LEVEL: options.logLevel ?? 'warn',
      EXECUTION_URL_TEMPLATE: `http://127.0.0.1:${apiPort}/v1/releases/{releaseId}/history`,
      ...(options.webhookRetryBaseSeconds !== undefined ? { WEBHOOK_RETRY_BASE_SECONDS: String(options.webhookRetryBaseSeconds) } : {}),
    };

    const asl = await readFile(new URL('../statemachines/release.asl.json', import.meta.url), 'utf8');
    const sfn: StepFunctionsEmulator = await startStepFunctionsEmulator({
      port: sfnPort,
      region: REGION,
      accountId: ACCOUNT,
      stateMachines: [
        {
          name: STATE_MACHINE,
          definition: applyDefinitionSubstitutions(asl, {
            DeployFunctionArn: functionArn('deploy'),
            RollbackFunctionArn: functionArn('rollback'),
            RequestApprovalFunctionArn: functionArn('request-approval'),
            RecordOutcomeFunctionArn: functionArn('record-outcome'),
            RunChecksFunctionArn: functionArn('run-checks'),
          }),
        },
      ],
      functions: lambdaFunctions(env),
      // Executions (and their task tokens and timers) survive a restart, as in AWS.
      ...(options.persist ? { dataDir: join(options.dataDir, 'sfn') } : {}),
      log: (line) => log(line),
    });
    closers.push(() => sfn.close());

    // The table's stream drives the events handler, as Lambda's event source mapping does in AWS.
    const streams = await startStreamPoller({ endpoint: dynamodbEndpoint, tableName: options.tableName, handler: buildEventsHandler(env), log });
    closers.push(() => streams.close());

    const reconcile = buildReconciler(env);
    closers.push(schedule('reconciler', reconcile, options.reconcileIntervalMs ?? 60_000, log, { runNow: true }));
    const checkpointAudit = buildAuditCheckpointer(env);
    closers.push(schedule('audit checkpointer', checkpointAudit, options.checkpointIntervalMs ?? 3_600_000, log, { runNow: false }));

    const apiDeps = { ...buildApiDeps(env), ...(options.clock ? { clock: options.clock } : {}) };
    const api = await listen(createApp(apiDeps, dashboardRoutes(apiDeps)).fetch, apiPort);
    closers.push(() => closeServer(api));

    return {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      mailboxUrl,
      dynamodbEndpoint,
      sfnUrl: sfn.url,
      idpUrl: idp.url,
      idp,
      kubernetesUrl: kubernetes.url,
      kubeconfigPath,
      stateMachineArn,
      env,
      kubernetes,
      clusters,
      mailbox,
      sfn,
      reconcile,
      checkpointAudit,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The step handlers as Lambda would run them, keyed by the ARNs the ASL is given. */
function lambdaFunctions(env: Env) {
  type Handler = (payload: unknown) => Promise<unknown>;
  // Inputs come from our own ASL; the registry is untyped like Lambda's Invoke API.
  const asHandler = <I>(step: (input: I) => Promise<unknown>): Handler => (payload) => step(payload as I);
  return {
    [functionArn('deploy')]: asHandler(buildDeployStep(env)),
    [functionArn('rollback')]: asHandler(buildRollbackStep(env)),
    [functionArn('request-approval')]: asHandler(buildRequestApprovalStep(env)),
    [functionArn('record-outcome')]: asHandler(buildRecordOutcomeStep(env)),
    [functionArn('run-checks')]: asHandler(buildRunChecksStep(env)),
  };
}

/**
 * Runs `run` every `intervalMs` as an EventBridge schedule would, and once now with `runNow` (the reconciler
 * repairs whatever an earlier run left behind); passes never overlap.
 */
function schedule(name: string, run: () => Promise<unknown>, intervalMs: number, log: (line: string) => void, { runNow }: { runNow: boolean }): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  let running: Promise<unknown> = Promise.resolve();
  const pass = () => {
    running = run().catch((error: Error) => log(`[${name}] pass failed: ${error.message}`));
  };
  if (runNow) pass();
  const timer = setInterval(() => void running.then(pass), intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}
