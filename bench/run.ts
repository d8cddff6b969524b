/**
 * `npm run bench`: every figure issue 13 sets a target for, beside its target
 * (ok/over), in one run, and the tables behind them. A benchmark, not a test:
 * it fails only if something is broken.
 *
 *   npm run bench -- --readme          also rewrite README's generated block (between the bench markers)
 *   npm run bench -- --only=decisions,scale   run some parts (bundles, decisions, pipelines, burst, dora, scale)
 *   npm run bench -- --full-scan       the DORA scan baseline over 100,000 deployments (default 20,000: the scan is minutes)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { startLocalStack } from '../local/stack';
import { lambdaEntries } from '../cdk/lambda-bundles';
import { BUNDLE_RUNS, bundleReport, measureBundles } from './bundles';
import { profileColdStart } from './import-profile';
import { measureDecisions } from './decisions';
import { measureDoraAndAudit } from './dora-and-audit';
import { measurePipelines } from './pipelines';
import { benchClient, measureBurst } from './releases';
import { targetHeader } from './report';
import { measureScale } from './scale';
import { burstSection, decisionSection, doraAuditSection, pipelineSection, scaleSection, textSection, type Section } from './sections';

process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const PARTS = ['bundles', 'decisions', 'pipelines', 'burst', 'dora', 'scale'] as const;
type Part = (typeof PARTS)[number];
const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg?.split(',') ?? PARTS) as Part[]);
const unknown = [...only].filter((part) => !PARTS.includes(part));
if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
const wanted = (part: Part) => only.has(part);

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  /** Releases per policy in the decision bench (three-rule: 2 non-closing + 1 closing vote each). */
  decisionReleases: env('BENCH_DECISION_RELEASES', 40),
  wallReleases: env('BENCH_RELEASES', 10),
  burst: env('BENCH_BURST', 100),
  deployments: env('BENCH_DEPLOYMENTS', args.includes('--full-scan') ? 100_000 : 20_000),
  auditEvents: env('BENCH_AUDIT_EVENTS', 20_000),
  scale: { apps: env('BENCH_SCALE_APPS', 50), releasesPerApp: env('BENCH_SCALE_RELEASES', 20), clients: env('BENCH_SCALE_CLIENTS', 50), approvers: env('BENCH_SCALE_APPROVERS', 20) },
};

const started = new Date();
const heading = `Measured ${started.toISOString().slice(0, 10)} by \`npm run bench\` (${[...only].join(', ')}) on ${process.platform}/${process.arch}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the start.`;
const sections: Section[] = [];
const show = (section: Section) => {
  sections.push(section);
  console.log(`${section.lines.join('\n')}\n`);
  if (section.targets.length > 0) console.log(`${targetHeader}\n${section.targets.join('\n')}\n`);
};
console.log(`Gatekeeper bench — ${heading}\n`);

if (wanted('bundles')) {
  const bundles = await measureBundles();
  try {
    show(textSection(bundleReport(bundles, BUNDLE_RUNS, await profileColdStart(lambdaEntries.api, bundles.probe.event, bundles.probe.env))));
  } finally {
    await bundles.dispose();
  }
}

if (wanted('decisions') || wanted('pipelines') || wanted('burst') || wanted('dora')) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-'));
  const tokens = { ci: `gk_${randomBytes(32).toString('base64url')}`, admin: `gk_${randomBytes(32).toString('base64url')}` };
  const signingSecret = randomBytes(32).toString('hex');
  const stack = await startLocalStack({
    dataDir,
    persist: false,
    tableName: 'gatekeeper-bench',
    ciToken: tokens.ci,
    adminToken: tokens.admin,
    signingSecret,
    approvalTimeoutSeconds: 3600,
    // An instant rollout: the wall time is Gatekeeper's own overhead.
    rollout: { delayMs: 0, progressDeadlineMs: 5000, timeoutSeconds: 30, pollMs: 10 },
    // Check Jobs (hello-api's smoke-test) complete at once too.
    jobDurationMs: 0,
    logLevel: 'error',
    reconcileIntervalMs: 0,
  });
  try {
    if (wanted('decisions') || wanted('pipelines')) {
      const decisions = await measureDecisions(stack, tokens, settings.decisionReleases, settings.wallReleases);
      if (wanted('decisions')) show(decisionSection(decisions));
      if (wanted('pipelines')) show(pipelineSection(decisions, await measurePipelines(benchClient(stack, tokens.ci), settings.wallReleases)));
    }
    if (wanted('burst')) show(burstSection(await measureBurst(stack, tokens.ci, tokens.admin, settings.burst), settings.burst));
    if (wanted('dora')) {
      // The scan baseline reads 1 MB pages of the whole table: give each more than a request path would get.
      const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint }, { requestTimeoutMs: 120_000 });
      try {
        show(doraAuditSection(await measureDoraAndAudit(db, 'gatekeeper-bench', benchClient(stack, tokens.admin), { deployments: settings.deployments, apps: 20, auditEvents: settings.auditEvents, signingSecret })));
      } finally {
        db.destroy();
      }
    }
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (wanted('scale')) show(scaleSection(await measureScale(settings.scale)));

const targets = sections.flatMap((s) => s.targets);
const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
console.log(`Targets (issue 13), this run (${minutes} min):\n\n${targetHeader}\n${targets.join('\n')}`);
if (args.includes('--readme')) await writeReadme([heading, '', targetHeader, ...targets, '', ...sections.flatMap((s) => [...s.lines, ''])]);

/** Replaces what lies between the bench markers in README.md with this run's output. */
async function writeReadme(lines: string[]): Promise<void> {
  const path = new URL('../README.md', import.meta.url);
  const [begin, end] = ['<!-- bench:begin (generated by npm run bench -- --readme) -->', '<!-- bench:end -->'];
  const readme = await readFile(path, 'utf8');
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no "${begin}" … "${end}" block to regenerate`);
  await writeFile(path, `${readme.slice(0, from + begin.length)}\n${lines.join('\n').trim()}\n${readme.slice(to)}`);
  console.log('\nREADME.md: benchmark block regenerated.');
}

// Steps of executions the closed stacks aborted may still be retrying in this process: nothing is left to measure.
process.exit(0);
