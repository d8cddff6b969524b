import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../functions/api/app';
import type { ApiDeps } from '../functions/api/deps';
import type { Env } from '../functions/config';
import { buildApiDeps } from '../functions/runtime/api';
import { freePort } from '../local/free-port';
import type { LocalStack } from '../local/stack';
import { clearMailbox, linksFor, postDecision } from './approver';
import { startCountingProxy } from './counting-proxy';
import { watchStackActivity, type StackActivity } from './stack-activity';
import { executionFigures, type ExecutionFigures, totalOf } from './pipelines';
import { benchClient, type BenchClient } from './releases';
import { median, summarize, type Summary } from './stats';

const imageFor = (seed: string) => `registry.example.com/hello-web@sha256:${createHash('sha256').update(seed).digest('hex')}`;

export interface DecisionFigures {
  /** Votes that leave the request pending: the first two of the three-rule policy. */
  nonClosing: Summary;
  /** Votes that close the request (and resume the state machine), both policies. */
  closing: Summary;
  singleCount: Summary;
  threeRules: Summary;
  /** The third vote of the three-rule policy: closing, like every single-count vote, but on a request voted on twice. */
  threeRulesClosing: Summary;
  /** One 2-item TransactWriteItems, sampled just before each vote, after one unmeasured (same load, same instance). */
  transact: Summary;
  /** Median milliseconds of each segment of a vote, request to answer. */
  breakdown: { nonClosing: Segments; closing: Segments };
  roundTrips: { nonClosing: Record<string, number>; closing: Record<string, number> };
  /** Over the release's promotions (staging, prod). */
  statesEntered: number;
  historyEvents: number;
  executions: ExecutionFigures[];
  releaseWallMs: number[];
  /** Releases voted on, unmeasured, before the measured ones. */
  warmupReleases: number;
}

type Segments = Record<string, number>;

const ALICE = 'alice@example.com';
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
const THREE_VOTERS = [ALICE, 'sam@example.com', 'pat@example.com'];
/**
 * Before each vote, the stack is let fall quiet: no call in flight, the stream
 * poller has read the stream since the last write (its events handler, a Lambda
 * of its own in AWS, has sent the release's emails and webhooks), then this long
 * without any call. Without it 10–20% of votes shared DynamoDB Local and the
 * process with the events handler or the poller (issue 13).
 */
const SETTLE_MS = 50;
const ENDED = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
/**
 * Releases voted on (3-rule policy, 3 votes each) before any vote is measured.
 * DynamoDB Local is a fresh JVM when the part starts and its transaction path
 * compiles over the first hundreds of calls: whichever policy went first had a
 * vote's TransactWriteItems at 25–35 ms (median) over its first 5 releases,
 * down to 4–5 ms only after some 60 votes, while the policy measured second
 * was warm from its start. Unwarmed, the single-count votes (all of them
 * closing, measured first) met a cold store and the 3-rule ones a warm one.
 */
const WARMUP_RELEASES = 20;

/**
 * As a person would, vote some time after the email: once every other
 * execution of the release (staging's, still recording its outcome and audit
 * events in this process) has ended and the approval step has finished.
 */
async function executionsEnded(ci: BenchClient, id: string): Promise<void> {
  type History = { executions: Array<{ events?: Array<{ type: string }> }> };
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(10)) {
    const { executions } = (await ci.get(`/v1/releases/${id}/history`)) as History;
    if (executions.filter(({ events = [] }) => !events.some((e) => ENDED.has(e.type))).length <= 1) return;
  }
}

/**
 * Decisions through the emailed links, one release at a time. The votes go to
 * a second instance of the same API in this process whose vote read, vote
 * write and resume are timed, so each vote's milliseconds are split into
 * segments; just before each vote, 2-item TransactWriteItems calls on the same
 * DynamoDB Local give the baseline under the same load.
 */
export async function measureDecisions(stack: LocalStack, tokens: { ci: string; admin: string }, releases: number, wallReleases = 10, warmupReleases = WARMUP_RELEASES): Promise<DecisionFigures> {
  const ci = benchClient(stack, tokens.ci);
  const admin = benchClient(stack, tokens.admin);
  const run = Date.now().toString(36);
  await admin.put('/v1/directory/groups/security', { members: ['sam@example.com'] });
  await admin.put('/v1/directory/groups/platform', { members: ['pat@example.com'] });
  for (const group of ['security', 'platform']) {
    await admin.post('/v1/directory/grants', { subject: { group }, role: 'image-approver', app: 'hello-web', environment: 'prod' });
  }

  const timed = await timedApi(stack.env);
  const baseline = await transactBaseline(stack);
  const activity = watchStackActivity();
  const votes: Vote[] = [];
  try {
    await admin.put('/v1/apps/hello-web/envs/prod/policy', THREE_RULES);
    await measureVotes(stack, ci, timed, baseline, activity, `${run}-warmup`, warmupReleases, THREE_VOTERS, 'three');
    baseline.reset();
    await admin.put('/v1/apps/hello-web/envs/prod/policy', SINGLE_COUNT);
    votes.push(...(await measureVotes(stack, ci, timed, baseline, activity, `${run}-single`, releases, [ALICE], 'single')));
    await admin.put('/v1/apps/hello-web/envs/prod/policy', THREE_RULES);
    votes.push(...(await measureVotes(stack, ci, timed, baseline, activity, `${run}-three`, releases, THREE_VOTERS, 'three')));
  } finally {
    timed.close();
    baseline.close();
    activity.close();
  }
  const roundTrips = await countRoundTrips(stack, ci, `${run}-probe`);
  await admin.put('/v1/apps/hello-web/envs/prod/policy', SINGLE_COUNT);
  const probe = roundTrips.releaseId;
  await ci.waitFor(probe, 'succeeded');
  const executions = await executionFigures(ci, probe);

  // Full release wall time: POST → staging → email → approve → prod → succeeded.
  const releaseWallMs: number[] = [];
  for (let i = 0; i < wallReleases; i++) {
    const t0 = performance.now();
    const id = await ci.start(imageFor(`${run}-wall-${i}`));
    const [link] = await linksFor(stack.mailboxUrl, id, [ALICE], 30_000);
    await decide(link ?? '');
    await ci.waitFor(id, 'succeeded');
    releaseWallMs.push(performance.now() - t0);
    await clearMailbox(stack.mailboxUrl);
  }

  const of = (filter: (v: Vote) => boolean) => votes.filter(filter);
  return {
    nonClosing: summarize(of((v) => !v.closing).map((v) => v.ms)),
    closing: summarize(of((v) => v.closing).map((v) => v.ms)),
    singleCount: summarize(of((v) => v.policy === 'single').map((v) => v.ms)),
    threeRules: summarize(of((v) => v.policy === 'three').map((v) => v.ms)),
    threeRulesClosing: summarize(of((v) => v.policy === 'three' && v.closing).map((v) => v.ms)),
    transact: summarize(baseline.samples),
    breakdown: { nonClosing: segmentMedians(of((v) => !v.closing)), closing: segmentMedians(of((v) => v.closing)) },
    roundTrips: { nonClosing: roundTrips.nonClosing, closing: roundTrips.closing },
    statesEntered: totalOf(executions, 'statesEntered'),
    historyEvents: totalOf(executions, 'historyEvents'),
    executions,
    releaseWallMs,
    warmupReleases,
  };
}

interface Vote {
  policy: 'single' | 'three';
  closing: boolean;
  ms: number;
  /** performance.now() of each mark, from the request's start. */
  marks: Map<string, number>;
}

/**
 * Releases are started one after another (two releases rolling out to one
 * environment at once would fail each other's rollout check); each gets its
 * votes, timed one by one, and is let finish (unmeasured) before the next.
 */
async function measureVotes(stack: LocalStack, ci: BenchClient, api: TimedApi, baseline: Baseline, activity: StackActivity, run: string, releases: number, voters: string[], policy: Vote['policy']): Promise<Vote[]> {
  const votes: Vote[] = [];
  for (let i = 0; i < releases; i++) {
    const id = await ci.start(imageFor(`${run}-${i}`));
    await ci.waitFor(id, 'waiting_for_approval');
    const links = await linksFor(stack.mailboxUrl, id, voters);
    await clearMailbox(stack.mailboxUrl);
    await executionsEnded(ci, id);
    for (const [n, link] of links.entries()) {
      await activity.quiet(SETTLE_MS);
      // DynamoDB Local's first transaction after a pause is slow (see Baseline.wake): one unmeasured,
      // then the baseline and the vote meet the store alike, as each did before the first vote.
      await baseline.wake();
      await baseline.sample(2);
      api.marks.clear();
      const t0 = performance.now();
      const answer = await postDecision(link.replace(stack.apiUrl, api.url));
      const ms = performance.now() - t0;
      if (answer.status !== 200) throw new Error(`decision failed: ${answer.status} ${answer.body}`);
      const marks = new Map([...api.marks].map(([k, t]) => [k, t - t0]));
      marks.set('answered', ms);
      votes.push({ policy, closing: n === links.length - 1, ms, marks });
    }
    await ci.waitFor(id, 'succeeded');
  }
  return votes;
}

/** The segments of a vote, in order; a segment is reported when both its marks were seen. */
const SEGMENTS: Array<[string, string, string]> = [
  ['request → vote read (HTTP, routing, link HMAC, form)', 'start', 'read.start'],
  ['vote read (DynamoDB)', 'read.start', 'read.end'],
  ['policy, eligibility, audit events', 'read.end', 'write.start'],
  ['vote write (chain hash + DynamoDB)', 'write.start', 'write.end'],
  ['write → resume', 'write.end', 'resume.start'],
  ['resume (SendTaskSuccess)', 'resume.start', 'resume.end'],
  ['→ answer received', 'last', 'answered'],
];

function segmentMedians(votes: Vote[]): Segments {
  const result: Segments = {};
  for (const [name, from, to] of SEGMENTS) {
    const spans = votes.flatMap(({ marks }) => {
      const start = from === 'start' ? 0 : from === 'last' ? (marks.get('resume.end') ?? marks.get('write.end')) : marks.get(from);
      const end = marks.get(to);
      return start === undefined || end === undefined ? [] : [end - start];
    });
    if (spans.length > 0) result[name] = median(spans);
  }
  return result;
}

interface TimedApi {
  url: string;
  marks: Map<string, number>;
  close(): void;
}

/** The API with its vote read, vote write and resume timed (bench only: the methods are wrapped here). */
async function timedApi(env: Env): Promise<TimedApi> {
  const deps = buildApiDeps(env);
  const marks = new Map<string, number>();
  wrap(deps.approvals, 'getForVote', 'read', marks);
  wrap(deps.approvals, 'saveVote', 'write', marks);
  wrap(deps.workflow, 'resume', 'resume', marks);
  const { server, url } = await serveApp(deps);
  return { url, marks, close: () => server.close() };
}

function wrap<T extends object>(target: T, method: keyof T & string, label: string, marks: Map<string, number>): void {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  Object.assign(target, {
    [method]: async (...args: unknown[]) => {
      marks.set(`${label}.start`, performance.now());
      try {
        return await original.apply(target, args);
      } finally {
        marks.set(`${label}.end`, performance.now());
      }
    },
  });
}

async function serveApp(deps: ApiDeps): Promise<{ server: ServerType; url: string }> {
  const port = await freePort();
  const server = serve({ fetch: createApp(deps).fetch, port, hostname: '127.0.0.1' });
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Round trips of a non-closing and a closing vote: an instance of the API whose DynamoDB endpoint is a counting proxy. */
async function countRoundTrips(stack: LocalStack, ci: BenchClient, seed: string) {
  const proxy = await startCountingProxy(stack.dynamodbEndpoint);
  const deps = buildApiDeps({ ...stack.env, DYNAMODB_ENDPOINT: proxy.url });
  let resumes = 0;
  const resume = deps.workflow.resume.bind(deps.workflow);
  deps.workflow.resume = (...args) => ((resumes += 1), resume(...args));
  const { server, url } = await serveApp(deps);
  try {
    const releaseId = await ci.start(imageFor(seed));
    await ci.waitFor(releaseId, 'waiting_for_approval');
    const links = await linksFor(stack.mailboxUrl, releaseId, THREE_VOTERS);
    await clearMailbox(stack.mailboxUrl);
    const counted = async (link: string) => {
      proxy.reset();
      resumes = 0;
      await decide(link.replace(stack.apiUrl, url));
      return { ...Object.fromEntries(proxy.counts), ...(resumes ? { SendTaskSuccess: resumes } : {}) };
    };
    const nonClosing = await counted(links[0] ?? '');
    await decide(links[1] ?? '');
    const closing = await counted(links[2] ?? '');
    return { releaseId, nonClosing, closing };
  } finally {
    server.close();
    await proxy.close();
  }
}

async function decide(link: string): Promise<void> {
  const answer = await postDecision(link);
  if (answer.status !== 200) throw new Error(`decision failed: ${answer.status} ${answer.body}`);
}

interface Baseline {
  samples: number[];
  sample(count: number): Promise<void>;
  /**
   * One transaction, not sampled. After 50–300 ms without one, DynamoDB Local's next
   * TransactWriteItems took 3.0–3.8 ms against 1.8–2.2 ms back to back (medians of 40;
   * a GetItem in between did not help): a JVM on an idle 2-core machine, not the
   * service. Unwarmed, a single-count vote (the first after a pause) paid it in its
   * write while a three-rule closing vote (just after the previous vote and samples) did not.
   */
  wake(): Promise<void>;
  /** Forgets the samples so far (taken while warming up). */
  reset(): void;
  close(): void;
}

/** One 2-item TransactWriteItems round trip on the same DynamoDB Local, for scale (the client warmed up first). */
async function transactBaseline(stack: LocalStack): Promise<Baseline> {
  const db = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' });
  const table = stack.env.TABLE_NAME ?? '';
  const samples: number[] = [];
  let n = 0;
  const once = async () => {
    n += 1;
    const item = (k: number) => ({ Put: { TableName: table, Item: { pk: { S: `BENCH#${n}` }, sk: { S: String(k) } } } });
    const t0 = performance.now();
    await db.send(new TransactWriteItemsCommand({ TransactItems: [item(1), item(2)] }));
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) await once();
  return {
    samples,
    async sample(count) {
      for (let i = 0; i < count; i++) samples.push(await once());
    },
    wake: async () => void (await once()),
    reset: () => void samples.splice(0),
    close: () => db.destroy(),
  };
}
