import { createHash } from 'node:crypto';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createApp } from '../functions/api/app';
import { buildApiDeps } from '../functions/runtime/api';
import { freePort } from '../local/free-port';
import type { LocalStack } from '../local/stack';
import { startCountingProxy } from './counting-proxy';
import { approve, benchClient } from './releases';
import { percentile } from './stats';

const imageFor = (seed: string) => `registry.example.com/hello-web@sha256:${createHash('sha256').update(seed).digest('hex')}`;

export interface DecisionFigures {
  decisionP50: number;
  decisionP99: number;
  samples: number;
  transactP50: number;
  transactP99: number;
  roundTripsPerDecision: Record<string, number>;
  statesEntered: number;
  historyEvents: number;
  releaseWallMs: number[];
}

export async function measureDecisions(stack: LocalStack, ciToken: string, samples: number): Promise<DecisionFigures> {
  const ci = benchClient(stack, ciToken);
  const run = Date.now().toString(36);

  // Releases waiting for approval. They are started one after another: two
  // releases rolling out to one environment at once would fail each other's
  // rollout check, which is the cluster's truth, not a bench artefact.
  const waiting: Array<{ id: string; link: string }> = [];
  for (let i = 0; i < samples; i++) {
    const id = await ci.start(imageFor(`${run}-${i}`));
    await ci.waitFor(id, 'waiting_for_approval');
    waiting.push({ id, link: await ci.linkFor(id, 'alice@example.com') });
  }

  // Latency through the stack's own API, one decision at a time; each release
  // is then let finish (unmeasured) so its prod rollout does not overlap the next.
  const latencies: number[] = [];
  for (const { id, link } of waiting) {
    const t0 = performance.now();
    const response = await approve(link);
    latencies.push(performance.now() - t0);
    if (response.status !== 200) throw new Error(`decision failed: ${response.status}`);
    await ci.waitFor(id, 'succeeded');
  }

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

  // State transitions of one approved release, from its execution history.
  const done = await ci.waitFor(probeId, 'succeeded');
  const sfn = new SFNClient({ endpoint: stack.sfnUrl, region: 'us-east-1' });
  const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn, maxResults: 1000 }));
  sfn.destroy();
  const events = history.events ?? [];

  // Full release wall time: POST → staging → email → approve → prod → succeeded.
  const releaseWallMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const id = await ci.start(imageFor(`${run}-wall-${i}`));
    await approve(await ci.linkFor(id, 'alice@example.com'));
    await ci.waitFor(id, 'succeeded');
    releaseWallMs.push(performance.now() - t0);
  }

  const transact = await transactBaseline(stack, 200);
  return {
    decisionP50: percentile(latencies, 50),
    decisionP99: percentile(latencies, 99),
    samples: latencies.length,
    transactP50: percentile(transact, 50),
    transactP99: percentile(transact, 99),
    roundTripsPerDecision,
    statesEntered: events.filter((e) => e.type?.endsWith('StateEntered')).length,
    historyEvents: events.length,
    releaseWallMs,
  };
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
