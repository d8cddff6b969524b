import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CatalogWriterFor, type BenchClient } from './releases';
import { keys } from '../functions/adapters/dynamodb/keys';
import { chainEvents, EMPTY_CHAIN, verifyChain } from '../functions/domain/audit-chain';
import { signCheckpoint } from '../functions/domain/audit-checkpoint';
import type { AuditEvent } from '../functions/domain/audit';
import { deploymentId, type Deployment } from '../functions/domain/deployment';
import { bucketIncrement, metricsFromDeployments, type DayBucket, type DeploymentResult } from '../functions/domain/dora';
import { DEFAULT_POLICY } from '../functions/domain/policy';
import { median, percentile } from './stats';

export interface DoraAuditFigures {
  deployments: number;
  apps: number;
  loadSeconds: number;
  queryP50: number;
  queryP99: number;
  scanMs: number;
  auditEvents: number;
  /** GET /v1/audit/verify?full=true: read, check each item's shape, verify from the first event. */
  verifyEventsPerSecondApi: number;
  /** In memory, median of 5 passes over the whole chain. */
  verifyEventsPerSecondPure: number;
  /** GET /v1/audit/verify with a signed checkpoint `sinceCheckpoint` events before the head. */
  verifyFromCheckpointMs: number;
  sinceCheckpoint: number;
}

const DAY = 86_400_000;

/** Synthetic history: `total` deployments over 90 days across `apps` apps × (staging, prod). */
function synthesize(total: number, apps: number, now: number): Deployment[] {
  const deployments: Deployment[] = [];
  for (let i = 0; i < total; i++) {
    const app = `bench-app-${i % apps}`;
    const environment = i % 2 === 0 ? 'prod' : 'staging';
    const finished = now - Math.random() * 89 * DAY;
    const roll = Math.random();
    const result: DeploymentResult = roll < 0.85 ? 'succeeded' : roll < 0.95 ? 'failed' : 'rolled_back';
    const releaseId = randomUUID();
    const startedAt = new Date(finished - 60_000).toISOString();
    deployments.push({
      id: deploymentId(startedAt, releaseId, 'release'),
      app,
      environment,
      type: 'release',
      releaseId,
      image: `registry.example.com/${app}@sha256:${'0'.repeat(64)}`,
      requestedBy: 'ci:bench',
      approvers: ['alice@example.com'],
      deployedBy: 'system:release-state-machine',
      startedAt,
      finishedAt: new Date(finished).toISOString(),
      committedAt: new Date(finished - 600_000 - Math.random() * 3 * DAY).toISOString(),
      result,
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:gatekeeper-release:bench',
    });
  }
  return deployments.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** Folds deployments into day buckets exactly as the store's per-deployment increments would. */
function foldBuckets(deployments: Deployment[]): Array<{ app: string; environment: string; bucket: DayBucket }> {
  const buckets = new Map<string, { app: string; environment: string; bucket: DayBucket }>();
  const failingSince = new Map<string, string | undefined>();
  for (const d of deployments) {
    const env = `${d.app}#${d.environment}`;
    const { day, increment, failingSince: next } = bucketIncrement(d, failingSince.get(env));
    failingSince.set(env, next);
    const key = `${env}#${day}`;
    const entry = buckets.get(key) ?? { app: d.app, environment: d.environment, bucket: { day, deployments: 0, successes: 0, failures: 0, leadTimeSeconds: [], restoreSeconds: [] } };
    entry.bucket.deployments += increment.deployments;
    entry.bucket.successes += increment.successes;
    entry.bucket.failures += increment.failures;
    entry.bucket.leadTimeSeconds.push(...increment.leadTimeSeconds);
    entry.bucket.restoreSeconds.push(...increment.restoreSeconds);
    buckets.set(key, entry);
  }
  return [...buckets.values()];
}

async function batchPut(db: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[], parallel = 8): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export async function measureDoraAndAudit(
  db: DynamoDBDocumentClient,
  tableName: string,
  admin: BenchClient,
  options: { deployments: number; apps: number; auditEvents: number; signingSecret: string; sinceCheckpoint?: number },
): Promise<DoraAuditFigures> {
  const now = Date.now();
  const catalog = new CatalogWriterFor(db, tableName);
  for (let a = 0; a < options.apps; a++) await catalog.register(`bench-app-${a}`, DEFAULT_POLICY);

  const t0 = performance.now();
  const deployments = synthesize(options.deployments, options.apps, now);
  await batchPut(db, tableName, deployments.map((d) => ({ ...keys.deployment(d.app, d.environment, d.id), kind: 'deployment', ...d })));
  await batchPut(db, tableName, foldBuckets(deployments).map(({ app, environment, bucket }) => ({ ...keys.metricsDay(app, environment, bucket.day), kind: 'metrics', ...bucket })));
  const loadSeconds = (performance.now() - t0) / 1000;

  // The API answering from buckets: 90-day windows, all apps, prod.
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await admin.get(`/v1/apps/bench-app-${i % options.apps}/envs/prod/metrics?days=90`);
    latencies.push(performance.now() - started);
  }

  // The same answer for one app by a full scan of the raw deployments, for comparison.
  const scanStart = performance.now();
  const raw: Deployment[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'kind = :d AND app = :app AND environment = :env', ExpressionAttributeValues: { ':d': 'deployment', ':app': 'bench-app-0', ':env': 'prod' }, ExclusiveStartKey }),
    );
    raw.push(...((page.Items ?? []) as Deployment[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const scanned = metricsFromDeployments('bench-app-0', 'prod', 90, raw, new Date(now));
  const scanMs = performance.now() - scanStart;
  const fromApi = await admin.get('/v1/apps/bench-app-0/envs/prod/metrics?days=90');
  if ((fromApi as { deployments: number }).deployments !== scanned.deployments) throw new Error('metrics from buckets and from the scan disagree');

  // Audit verification: a long chain for one app, verified through the API and in-process.
  const events: AuditEvent[] = Array.from({ length: options.auditEvents }, (_, i) => ({
    id: randomUUID(),
    app: 'bench-audit',
    actor: 'system:bench',
    action: 'deployment.succeeded',
    subject: `release/${i}`,
    at: new Date(now - (options.auditEvents - i) * 1000).toISOString(),
    detail: { n: i },
  }));
  const chained = chainEvents(EMPTY_CHAIN, events);
  await batchPut(db, tableName, [
    ...chained.events.map((e) => ({ ...keys.auditEvent(e.app, e.seq), kind: 'audit', ...e })),
    { ...keys.auditHead('bench-audit'), kind: 'audit-head', ...chained.head },
  ]);
  const apiStart = performance.now();
  const verified = (await admin.get('/v1/audit/verify?app=bench-audit&full=true')) as { ok: boolean; events: number };
  const apiSeconds = (performance.now() - apiStart) / 1000;
  if (!verified.ok) throw new Error('bench chain did not verify');
  const passes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const pureStart = performance.now();
    verifyChain(chained.events, { expectedHead: chained.head });
    passes.push(chained.events.length / ((performance.now() - pureStart) / 1000));
  }

  // Incremental: a signed checkpoint written by the job when the chain was `sinceCheckpoint` events shorter.
  const sinceCheckpoint = options.sinceCheckpoint ?? 1_000;
  const atCheckpoint = chained.events[chained.events.length - sinceCheckpoint - 1]!;
  const checkpoint = signCheckpoint(options.signingSecret, 'bench-audit', atCheckpoint, new Date().toISOString());
  await db.send(new PutCommand({ TableName: tableName, Item: { ...keys.auditCheckpoint('bench-audit'), kind: 'audit-checkpoint', ...checkpoint } }));
  const incrementalStart = performance.now();
  const incremental = (await admin.get('/v1/audit/verify?app=bench-audit')) as { ok: boolean; events: number; from: { seq: number } };
  const verifyFromCheckpointMs = performance.now() - incrementalStart;
  if (!incremental.ok || incremental.from.seq !== atCheckpoint.seq) throw new Error('bench chain did not verify from its checkpoint');

  return {
    deployments: options.deployments,
    apps: options.apps,
    loadSeconds,
    queryP50: percentile(latencies, 50),
    queryP99: percentile(latencies, 99),
    scanMs,
    auditEvents: options.auditEvents,
    verifyEventsPerSecondApi: verified.events / apiSeconds,
    verifyEventsPerSecondPure: median(passes),
    verifyFromCheckpointMs,
    sinceCheckpoint: incremental.events,
  };
}
