/**
 * `npm run bench`: the figures the README quotes. A benchmark, not a test:
 * it prints numbers and fails only if something is broken.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/stack';
import { measureBundles } from './bundles';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { measureDecisions } from './decisions';
import { measureDoraAndAudit } from './dora-and-audit';
import { measurePipelines, totalOf } from './pipelines';
import { benchClient } from './releases';
import { median, ms } from './stats';

process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
const samples = Number(process.env.BENCH_DECISIONS ?? 100);
const releases = Number(process.env.BENCH_RELEASES ?? 10);

console.log(`Gatekeeper bench — ${new Date().toISOString()} — node ${process.version}, ${process.platform}/${process.arch}\n`);

const bundles = await measureBundles();
console.log('| Lambda bundle (minified ESM) | size |\n|---|---|');
for (const { name, kb } of bundles.sizes) console.log(`| ${name} | ${kb.toFixed(1)} KB |`);
console.log('\n| Cold start (fresh process, median of 5) | bundle | import | first request | total |\n|---|---|---|---|---|');
for (const c of bundles.coldStart) console.log(`| ${c.name} | ${c.kb.toFixed(1)} KB | ${ms(c.importMs)} | ${ms(c.firstRequestMs)} | ${ms(c.importMs + c.firstRequestMs)} |`);

const dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-'));
const ciToken = `gk_${randomBytes(32).toString('base64url')}`;
const adminToken = `gk_${randomBytes(32).toString('base64url')}`;
const stack = await startLocalStack({
  dataDir,
  persist: false,
  tableName: 'gatekeeper-bench',
  ciToken,
  adminToken,
  signingSecret: randomBytes(32).toString('hex'),
  approvalTimeoutSeconds: 3600,
  // An instant rollout: the wall time is Gatekeeper's own overhead.
  rollout: { delayMs: 0, progressDeadlineMs: 5000, timeoutSeconds: 30, pollMs: 10 },
  // Check Jobs (hello-api's smoke-test) complete at once too.
  jobDurationMs: 0,
  logLevel: 'error',
});
try {
  const d = await measureDecisions(stack, { ci: ciToken, admin: adminToken }, samples, releases);
  const trips = Object.values(d.roundTripsPerDecision).reduce((a, b) => a + b, 0);
  console.log(`
| Approval decision (POST link → committed → task resumed when closing), DynamoDB Local | p50 | p99 | closing vote p50 |
|---|---|---|---|
| single-count policy (1 approval; ${d.singleCount.samples} decisions) | ${ms(d.singleCount.p50)} | ${ms(d.singleCount.p99)} | ${ms(d.singleCount.closingP50)} |
| three-rule policy (3 approvals, 1 each from 3 groups; ${d.threeRules.samples} decisions) | ${ms(d.threeRules.p50)} | ${ms(d.threeRules.p99)} | ${ms(d.threeRules.closingP50)} |
| one 2-item TransactWriteItems, same instance (200 calls) | ${ms(d.transactP50)} | ${ms(d.transactP99)} | |

DynamoDB round trips per decision: ${trips} (${Object.entries(d.roundTripsPerDecision).map(([op, n]) => `${op} ×${n}`).join(', ')})
State transitions per approved release: ${d.statesEntered} states entered, ${d.historyEvents} history events
Full local release with an instant rollout (POST → staging → email → approve → prod → succeeded): median ${ms(median(d.releaseWallMs))} of ${d.releaseWallMs.length}`);

  const p = await measurePipelines(benchClient(stack, ciToken), releases);
  const promotion = (label: string, e: { statesEntered: number; historyEvents: number } | undefined) => `| ${label} | ${e?.statesEntered ?? '?'} | ${e?.historyEvents ?? '?'} |`;
  const web = (environment: string) => d.executions.find((e) => e.environment === environment);
  const api = (environment: string) => p.helloApiExecutions.find((e) => e.environment === environment);
  console.log(`
| Pipeline promotions (one Step Functions execution per environment) | states entered | history events |
|---|---|---|
${promotion('hello-web staging (ungated, no checks)', web('staging'))}
${promotion('hello-web prod (1 approval)', web('prod'))}
${promotion('hello-api staging (post-deployment job check)', api('staging'))}
${promotion('hello-api prod-eu (1 approval)', api('prod-eu'))}
${promotion('hello-api prod-us (1 approval)', api('prod-us'))}
${promotion(`per hello-web release (${d.executions.length} executions)`, { statesEntered: d.statesEntered, historyEvents: d.historyEvents })}
${promotion(`per hello-api release (${p.helloApiExecutions.length} executions)`, { statesEntered: totalOf(p.helloApiExecutions, 'statesEntered'), historyEvents: totalOf(p.helloApiExecutions, 'historyEvents') })}

| Full local release, instant rollouts and checks (POST → approvals the moment they are emailed → succeeded) | p50 | runs |
|---|---|---|
| hello-web (staging → prod, 1 approval) | ${ms(median(d.releaseWallMs))} | ${d.releaseWallMs.length} |
| hello-api (staging + smoke-test job → prod-eu ∥ prod-us, 1 approval each) | ${ms(median(p.helloApiWallMs))} | ${p.helloApiWallMs.length} |`);

  // The scan baseline reads 1 MB pages of a 100k-item table: give each more than a request path would get.
  const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint }, { requestTimeoutMs: 120_000 });
  const m = await measureDoraAndAudit(db, 'gatekeeper-bench', benchClient(stack, adminToken), {
    deployments: Number(process.env.BENCH_DEPLOYMENTS ?? 100_000),
    apps: 20,
    auditEvents: Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000),
  });
  db.destroy();
  console.log(`
DORA metrics over ${m.deployments.toLocaleString('en')} synthetic deployments across ${m.apps} apps (loaded in ${m.loadSeconds.toFixed(1)} s):

| 90-day metrics of one app and environment | p50 | p99 |
|---|---|---|
| GET /v1/apps/{app}/envs/prod/metrics?days=90 (from day buckets, 200 calls) | ${ms(m.queryP50)} | ${ms(m.queryP99)} |
| the same answer by a full table scan of the raw deployments (1 run) | ${ms(m.scanMs)} | |

The bucket query is ${(m.scanMs / m.queryP50).toFixed(0)}× faster than the scan (p50).
Audit chain verification of ${m.auditEvents.toLocaleString('en')} events: ${Math.round(m.verifyEventsPerSecondApi).toLocaleString('en')} events/s through GET /v1/audit/verify (read + verify), ${Math.round(m.verifyEventsPerSecondPure).toLocaleString('en')} events/s verifying in memory.`);
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}
