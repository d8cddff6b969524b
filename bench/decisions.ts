import { createHash } from 'node:crypto';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { createApp } from '../functions/api/app';
import { buildApiDeps } from '../functions/runtime/api';
import { freePort } from '../local/free-port';
import type { LocalStack } from '../local/stack';
import { startCountingProxy } from './counting-proxy';
import { executionFigures, type ExecutionFigures, totalOf } from './pipelines';
import { approve, benchClient, type BenchClient } from './releases';
import { percentile } from './stats';

const imageFor = (seed: string) => `registry.example.com/hello-web@sha256:${createHash('sha256').update(seed).digest('hex')}`;

export interface VoteFigures {
  p50: number;
  p99: number;
  samples: number;
  /** Latency of the vote that completed the quorum (it also resumes the state machine). */
  closingP50: number;
}

export interface DecisionFigures {
  singleCount: VoteFigures;
  threeRules: VoteFigures;
  transactP50: number;
  transactP99: number;
  roundTripsPerDecision: Record<string, number>;
  /** Over the release's promotions (staging, prod). */
  statesEntered: number;
  historyEvents: number;
  /** Each promotion of that release: staging (ungated, no checks), prod (gated). */
  executions: ExecutionFigures[];
  releaseWallMs: number[];
}

/** The two policies compared: one approval, or 3 approvals with one from each of three groups. */
const SINGLE_COUNT = { required: 1, supersede: false };
const THREE_RULES = {
  required: 3,
  supersede: false,
  rules: [
    { group: 'release-managers', min: 1 },
    { group: 'security', min: 1 },
    { group: 'platform', min: 1 },
  ],
};

export async function measureDecisions(stack: LocalStack, tokens: { ci: string; admin: string }, samples: number, releases = 10): Promise<DecisionFigures> {
  const ci = benchClient(stack, tokens.ci);
  const admin = benchClient(stack, tokens.admin);
  const run = Date.now().toString(36);
  await admin.put('/v1/directory/groups/security', { members: ['sam@example.com'] });
  await admin.put('/v1/directory/groups/platform', { members: ['pat@example.com'] });
  for (const group of ['security', 'platform']) {
    await admin.post('/v1/directory/grants', { subject: { group }, role: 'image-approver', app: 'hello-web', environment: 'prod' });
  }

  await admin.put('/v1/apps/hello-web/envs/prod/policy', SINGLE_COUNT);
  const singleCount = await measureVotes(ci, `${run}-single`, samples, ['alice@example.com']);
  await admin.put('/v1/apps/hello-web/envs/prod/policy', THREE_RULES);
  const threeRules = await measureVotes(ci, `${run}-three`, Math.ceil(samples / 3), ['alice@example.com', 'sam@example.com', 'pat@example.com']);
  await admin.put('/v1/apps/hello-web/envs/prod/policy', SINGLE_COUNT);

  // Round trips: a second instance of the same API whose DynamoDB endpoint is a counting proxy.
  const proxy = await startCountingProxy(stack.dynamodbEndpoint);
  const port = await freePort();
  const counted = serve({ fetch: createApp(buildApiDeps({ ...stack.env, DYNAMODB_ENDPOINT: proxy.url })).fetch, port, hostname: '127.0.0.1' });
  const probeId = await ci.start(imageFor(`${run}-probe`));
  await ci.waitFor(probeId, 'waiting_for_approval');
  const probeLink = (await ci.linkFor(probeId, 'bob@example.com')).replace(stack.apiUrl, `http://127.0.0.1:${port}`);
  proxy.reset();
  await approve(probeLink);
  const roundTripsPerDecision = Object.fromEntries(proxy.counts);
  counted.close();
  await proxy.close();

  // State transitions of one approved release, from its promotions' execution histories.
  await ci.waitFor(probeId, 'succeeded');
  const executions = await executionFigures(ci, probeId);

  // Full release wall time: POST → staging → email → approve → prod → succeeded.
  const releaseWallMs: number[] = [];
  for (let i = 0; i < releases; i++) {
    const t0 = performance.now();
    const id = await ci.start(imageFor(`${run}-wall-${i}`));
    await approve(await ci.linkFor(id, 'alice@example.com'));
    await ci.waitFor(id, 'succeeded');
    releaseWallMs.push(performance.now() - t0);
  }

  const transact = await transactBaseline(stack, 200);
  return {
    singleCount,
    threeRules,
    transactP50: percentile(transact, 50),
    transactP99: percentile(transact, 99),
    roundTripsPerDecision,
    statesEntered: totalOf(executions, 'statesEntered'),
    historyEvents: totalOf(executions, 'historyEvents'),
    executions,
    releaseWallMs,
  };
}

/**
 * Releases are started one after another (two releases rolling out to one
 * environment at once would fail each other's rollout check); each gets its
 * votes through the emailed links, timed one by one, and is let finish
 * (unmeasured) before the next.
 */
async function measureVotes(ci: BenchClient, run: string, releases: number, voters: string[]): Promise<VoteFigures> {
  const all: number[] = [];
  const closing: number[] = [];
  for (let i = 0; i < releases; i++) {
    const id = await ci.start(imageFor(`${run}-${i}`));
    await ci.waitFor(id, 'waiting_for_approval');
    const links = await Promise.all(voters.map((voter) => ci.linkFor(id, voter)));
    for (const link of links) {
      const t0 = performance.now();
      const response = await approve(link);
      all.push(performance.now() - t0);
      if (response.status !== 200) throw new Error(`decision failed: ${response.status} ${await response.text()}`);
    }
    closing.push(all.at(-1) ?? 0);
    await ci.waitFor(id, 'succeeded');
  }
  return { p50: percentile(all, 50), p99: percentile(all, 99), samples: all.length, closingP50: percentile(closing, 50) };
}

/** One 2-item TransactWriteItems round trip on the same DynamoDB Local, for scale. */
async function transactBaseline(stack: LocalStack, count: number): Promise<number[]> {
  const db = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' });
  const table = stack.env.TABLE_NAME ?? '';
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const item = (n: number) => ({ Put: { TableName: table, Item: { pk: { S: `BENCH#${i}` }, sk: { S: String(n) } } } });
    const t0 = performance.now();
    await db.send(new TransactWriteItemsCommand({ TransactItems: [item(1), item(2)] }));
    samples.push(performance.now() - t0);
  }
  db.destroy();
  return samples;
}
