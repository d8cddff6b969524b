import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { DEMO_CI_IDENTITY } from '../local/seed';
import { startLocalStack, type LocalStack } from '../local/stack';
import { mailedLinks, postDecision, send } from './approver';
import { startCountingProxy, type Consumed, type CountingProxy } from './counting-proxy';
import { executionFigures, totalOf } from './pipelines';
import { benchClient } from './releases';
import { summarize, type Summary } from './stats';

/**
 * Prices assumed for the cost rows (us-east-1, on-demand, as published on
 * 2026-12-02): DynamoDB $0.625 per million write request units and $0.125 per
 * million read request units; Step Functions standard workflows $0.025 per
 * 1,000 state transitions.
 */
export const PRICES = { writeUnit: 0.625 / 1e6, readUnit: 0.125 / 1e6, transition: 0.025 / 1000 };

export interface ScaleOptions {
  apps: number;
  releasesPerApp: number;
  /** Concurrent CI clients starting releases (one app each, when equal to `apps`). */
  clients: number;
  approvers: number;
}

export interface ScaleFigures extends ScaleOptions {
  releases: number;
  /** First POST to the last POST answered. */
  postWallMs: number;
  /** First POST to the last release waiting for approval (its email sent). */
  startWallMs: number;
  startStatuses: Record<string, number>;
  waiting: number;
  /** Accepted releases not waiting for approval when read after the last email (or the wait ran out). */
  lost: number;
  approveWallMs: number;
  approveStatuses: Record<string, number>;
  /** Every release's status once all have ended (or the wait ran out). */
  outcomes: Record<string, number>;
  calls: Record<string, Summary>;
  /** Capacity units per release as DynamoDB Local reported them, from first POST to last outcome. */
  perRelease: Consumed;
  byOperation: Record<string, Consumed>;
  /** DynamoDB's error answers over the run (transaction conflicts and cancellations are contention). */
  errors: Record<string, number>;
  /** State transitions of one release (one execution: its only environment). */
  transitions: number;
  cost: { dynamodbPer1000: number; transitionsPer1000: number };
}

/** Progress on stderr: the run takes minutes. */
const progress = (line: string) => console.error(line);

const APP = (i: number) => `scale-${String(i).padStart(2, '0')}`;
const APPROVER = (i: number) => `approver-${String(i).padStart(2, '0')}@example.com`;
const imageFor = (app: string, seed: string) => `registry.example.com/${app}@sha256:${createHash('sha256').update(seed).digest('hex')}`;

/**
 * Issue 13's scale run on a stack of its own, whose DynamoDB Local sits behind
 * a proxy that meters consumed capacity: `apps` apps (one gated environment
 * each) registered through the admin API, `releasesPerApp` releases of each
 * started by `clients` concurrent CI clients, then one approval per release by
 * `approvers` concurrent approvers through the emailed links.
 */
export async function measureScale(options: ScaleOptions): Promise<ScaleFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-scale-'));
  const dynamodb = await startDynamoDbLocal({ port: await freePort() });
  const proxy = await startCountingProxy(dynamodb.endpoint, { capacity: true });
  const tokens = { ci: `gk_${randomBytes(32).toString('base64url')}`, admin: `gk_${randomBytes(32).toString('base64url')}` };
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      dataDir,
      persist: false,
      dynamodbEndpoint: proxy.url,
      tableName: 'gatekeeper-scale',
      ciToken: tokens.ci,
      adminToken: tokens.admin,
      signingSecret: randomBytes(32).toString('hex'),
      approvalTimeoutSeconds: 3600,
      // Instant rollouts, polled seldom: a thousand deploys polling every few ms would starve this one process.
      rollout: { delayMs: 0, progressDeadlineMs: 60_000, timeoutSeconds: 300, pollMs: 1000 },
      logLevel: 'error',
      reconcileIntervalMs: 0,
    });
    await seed(stack, tokens.admin, options);
    return await run(stack, proxy, tokens, options);
  } finally {
    await stack?.close();
    await proxy.close();
    await dynamodb.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The apps, their Deployments in the simulated cluster, the approvers' group and the grants, through the admin API. */
async function seed(stack: LocalStack, adminToken: string, options: ScaleOptions): Promise<void> {
  const admin = benchClient(stack, adminToken);
  const policy = { required: 1, supersede: false };
  for (let i = 0; i < options.apps; i++) {
    const app = APP(i);
    stack.clusters.eu.seedDeployment({ namespace: 'scale', name: app, container: 'app', image: imageFor(app, 'initial'), replicas: 1 });
    await admin.put(`/v1/apps/${app}`, { environments: [{ name: 'prod', namespace: 'scale', deployment: app, container: 'app', policy }] });
  }
  await admin.put('/v1/directory/groups/scale-approvers', { members: Array.from({ length: options.approvers }, (_, i) => APPROVER(i)) });
  await admin.post('/v1/directory/grants', { subject: { user: DEMO_CI_IDENTITY }, role: 'deployer', app: '*', environment: '*' });
  await admin.post('/v1/directory/grants', { subject: { group: 'scale-approvers' }, role: 'image-approver', app: '*', environment: 'prod' });
}

interface Started {
  id: string;
  /** Global order: release r of app a is r × apps + a, so consecutive approvals are of different apps. */
  order: number;
  approver: string;
}

async function run(stack: LocalStack, proxy: CountingProxy, tokens: { ci: string; admin: string }, options: ScaleOptions): Promise<ScaleFigures> {
  const calls = new Map<string, number[]>();
  const timed = async (name: string, call: () => ReturnType<typeof send>) => {
    const t0 = performance.now();
    const answer = await call();
    calls.set(name, [...(calls.get(name) ?? []), performance.now() - t0]);
    return answer;
  };
  const headers = { authorization: `Bearer ${tokens.ci}`, 'content-type': 'application/json', accept: 'application/json' };
  const releases = options.apps * options.releasesPerApp;
  const startStatuses: Record<string, number> = {};
  const started: Started[] = [];
  proxy.reset();

  // Phase 1: each client starts its apps' releases one after another; all clients at once. A release
  // waits for approval once its email is out (the request opens first), so the mailbox is the signal.
  const t0 = performance.now();
  let posted = false;
  const waitingAt = new Map<string, number>();
  const watching = watchMailbox(stack, waitingAt, () => posted && waitingAt.size >= started.length, t0);
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let r = 0; r < options.releasesPerApp; r++) {
        for (let a = client; a < options.apps; a += options.clients) {
          const order = r * options.apps + a;
          const approver = APPROVER(order % options.approvers);
          const body = JSON.stringify({ app: APP(a), image: imageFor(APP(a), `r${r}`), approvers: [approver] });
          const answer = await timed('POST /v1/releases', () => send('POST', `${stack.apiUrl}/v1/releases`, headers, body));
          startStatuses[answer.status] = (startStatuses[answer.status] ?? 0) + 1;
          if (answer.status === 201) started.push({ id: (JSON.parse(answer.body) as { id: string }).id, order, approver });
        }
      }
    }),
  );
  const postWallMs = performance.now() - t0;
  posted = true;
  progress(`scale: ${started.length} of ${releases} releases accepted in ${(postWallMs / 1000).toFixed(1)} s`);
  await watching;
  const startWallMs = Math.max(0, ...waitingAt.values());
  // Each client then reads its releases once: every one must say waiting_for_approval.
  progress(`scale: ${waitingAt.size} waiting for approval after ${(startWallMs / 1000).toFixed(1)} s`);
  const confirmed = await inParallel(started, options.clients, async (release) => {
    const answer = await timed('GET /v1/releases/{id}', () => send('GET', `${stack.apiUrl}/v1/releases/${release.id}`, headers));
    return (JSON.parse(answer.body) as { status: string }).status === 'waiting_for_approval';
  });

  // Phase 2: each approver decides its releases in global order, all approvers at once (the links read once, whole).
  const links = new Map((await mailedLinks(stack.mailboxUrl)).map((l) => [l.releaseId, l.link]));
  const approveStatuses: Record<string, number> = {};
  const queue = started.filter((_, i) => confirmed[i]).sort((a, b) => a.order - b.order);
  const a0 = performance.now();
  await Promise.all(
    Array.from({ length: options.approvers }, async (_, k) => {
      for (const release of queue.filter((r) => r.approver === APPROVER(k))) {
        const link = links.get(release.id);
        const answer = link ? await timed('POST /approve/{token}', () => postDecision(link)) : { status: 0 };
        approveStatuses[answer.status] = (approveStatuses[answer.status] ?? 0) + 1;
      }
    }),
  );
  const approveWallMs = performance.now() - a0;
  progress(`scale: ${queue.length} approvals in ${(approveWallMs / 1000).toFixed(1)} s; waiting for the deployments to end`);
  const outcomes = await settle(stack, started.map((r) => r.id), headers);

  // A copy: the proxy keeps counting while the sample's history is read below.
  const byOperation = Object.fromEntries([...proxy.capacity].map(([op, c]) => [op, { ...c }]));
  const total = Object.values(byOperation).reduce((sum, c) => ({ read: sum.read + c.read, write: sum.write + c.write }), { read: 0, write: 0 });
  const perRelease = { read: total.read / releases, write: total.write / releases };
  const sample = started[0]?.id ?? '';
  const transitions = totalOf(await executionFigures(benchClient(stack, tokens.admin), sample, 30_000), 'statesEntered');
  return {
    ...options,
    releases,
    postWallMs,
    startWallMs,
    startStatuses,
    waiting: confirmed.filter(Boolean).length,
    lost: started.length - confirmed.filter(Boolean).length,
    approveWallMs,
    approveStatuses,
    outcomes,
    calls: Object.fromEntries([...calls].map(([name, samples]) => [name, summarize(samples)])),
    perRelease,
    byOperation,
    errors: Object.fromEntries(proxy.errors),
    transitions,
    cost: {
      dynamodbPer1000: 1000 * (perRelease.write * PRICES.writeUnit + perRelease.read * PRICES.readUnit),
      transitionsPer1000: 1000 * transitions * PRICES.transition,
    },
  };
}

/**
 * Polls the mailbox until `done()`, noting in `waitingAt` when each release's
 * link first appeared (ms from `t0`).
 */
async function watchMailbox(stack: LocalStack, waitingAt: Map<string, number>, done: () => boolean, t0: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  let polled = 0;
  while (!done() && Date.now() < deadline) {
    await sleep(500);
    // Only mail since the last poll (the store keeps seconds; 2 s of overlap): the whole store would be megabytes each time.
    const since = Math.floor(polled / 1000) - 2;
    polled = Date.now();
    for (const { releaseId } of await mailedLinks(stack.mailboxUrl, since)) {
      if (!waitingAt.has(releaseId)) waitingAt.set(releaseId, performance.now() - t0);
    }
  }
}

/** Runs `work` over `items` with at most `width` at a time, answers in order. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
    }),
  );
  return results;
}

const TERMINAL = new Set(['succeeded', 'failed', 'rolled_back', 'rejected', 'expired', 'cancelled', 'superseded']);

/** Waits (bounded) until every release has ended, then counts their statuses. */
async function settle(stack: LocalStack, ids: string[], headers: Record<string, string>): Promise<Record<string, number>> {
  const status = new Map<string, string>();
  const deadline = Date.now() + 120_000;
  for (let open = ids; open.length > 0 && Date.now() < deadline; await sleep(1000)) {
    const states = await inParallel(open, 8, async (id) => (JSON.parse((await send('GET', `${stack.apiUrl}/v1/releases/${id}`, headers)).body) as { status: string }).status);
    states.forEach((current, i) => status.set(open[i] ?? '', current));
    open = open.filter((_, i) => !TERMINAL.has(states[i] ?? ''));
  }
  const counts: Record<string, number> = {};
  for (const s of status.values()) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
