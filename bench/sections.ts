/**
 * Each part of the bench as printed: its tables (Markdown, so the README can
 * quote them) and its rows of the targets table (`target` from report.ts).
 */
import type { DecisionFigures } from './decisions';
import type { DoraAuditFigures } from './dora-and-audit';
import { totalOf, type ExecutionFigures, type PipelineFigures } from './pipelines';
import type { BurstFigures } from './releases';
import { target, targetHeader } from './report';
import { PRICES, type ScaleFigures } from './scale';
import { median, ms } from './stats';

export interface Section {
  lines: string[];
  targets: string[];
}

const ratio = (a: number, b: number) => a / b;
const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/** A part that prints its own text (tables and `target` rows, e.g. bundleReport): its target rows are picked out. */
export function textSection(text: string): Section {
  const lines = text.split('\n');
  const rows = lines.filter((line) => TARGET_ROW.test(line));
  return { lines: lines.filter((line) => !TARGET_ROW.test(line) && line !== targetHeader.split('\n')[0] && line !== '|---|---|---|---|'), targets: rows };
}

const TARGET_ROW = /^\| .+ \| (?:ok|over|under) \|$/;

export function decisionSection(d: DecisionFigures): Section {
  const trips = (counts: Record<string, number>) => Object.entries(counts).map(([op, n]) => `${op} ×${n}`).join(', ');
  const segments = Object.keys({ ...d.breakdown.nonClosing, ...d.breakdown.closing });
  const cell = (value: number | undefined) => (value === undefined ? '' : ms(value));
  return {
    lines: [
      `| Approval decision through the emailed link (POST → committed → resumed when closing), DynamoDB Local, after ${d.warmupReleases} releases voted on unmeasured | p50 | p99 | votes | p50 / TransactWriteItems |`,
      '|---|---|---|---|---|',
      `| non-closing vote (3-rule policy, votes 1 and 2) | ${ms(d.nonClosing.p50)} | ${ms(d.nonClosing.p99)} | ${d.nonClosing.n} | ${ratio(d.nonClosing.p50, d.transact.p50).toFixed(2)}× |`,
      `| closing vote, incl. SendTaskSuccess (both policies) | ${ms(d.closing.p50)} | ${ms(d.closing.p99)} | ${d.closing.n} | ${ratio(d.closing.p50, d.transact.p50).toFixed(2)}× |`,
      `| single-count policy (every vote closes) | ${ms(d.singleCount.p50)} | ${ms(d.singleCount.p99)} | ${d.singleCount.n} | |`,
      `| three-rule policy (3 approvals, 1 from each of 3 groups) | ${ms(d.threeRules.p50)} | ${ms(d.threeRules.p99)} | ${d.threeRules.n} | |`,
      `| three-rule policy, closing (third) votes | ${ms(d.threeRulesClosing.p50)} | ${ms(d.threeRulesClosing.p99)} | ${d.threeRulesClosing.n} | |`,
      `| one 2-item TransactWriteItems, sampled just before each vote (after one unmeasured) | ${ms(d.transact.p50)} | ${ms(d.transact.p99)} | ${d.transact.n} | 1× |`,
      '',
      '| Where a vote\'s milliseconds go (medians) | non-closing | closing |',
      '|---|---|---|',
      ...segments.map((name) => `| ${name} | ${cell(d.breakdown.nonClosing[name])} | ${cell(d.breakdown.closing[name])} |`),
      '',
      `Round trips per decision: non-closing ${trips(d.roundTrips.nonClosing)}; closing ${trips(d.roundTrips.closing)}.`,
    ],
    targets: [
      target('non-closing decision p50 / one TransactWriteItems', ratio(d.nonClosing.p50, d.transact.p50), 2.5, '×'),
      target('closing decision p50 incl. the resume / one TransactWriteItems', ratio(d.closing.p50, d.transact.p50), 4, '×'),
    ],
  };
}

export function pipelineSection(d: DecisionFigures, p: PipelineFigures): Section {
  const row = (label: string, e: Pick<ExecutionFigures, 'statesEntered' | 'historyEvents'> | undefined) => `| ${label} | ${e?.statesEntered ?? '?'} | ${e?.historyEvents ?? '?'} |`;
  const web = (environment: string) => d.executions.find((e) => e.environment === environment);
  const api = (environment: string) => p.helloApiExecutions.find((e) => e.environment === environment);
  return {
    lines: [
      '| Pipeline promotions (one Step Functions execution per environment) | states entered | history events |',
      '|---|---|---|',
      row('hello-web staging (ungated, no checks)', web('staging')),
      row('hello-web prod (1 approval)', web('prod')),
      row('hello-api staging (post-deployment job check)', api('staging')),
      row('hello-api prod-eu (1 approval)', api('prod-eu')),
      row('hello-api prod-us (1 approval)', api('prod-us')),
      row(`per hello-web release (${d.executions.length} executions)`, { statesEntered: d.statesEntered, historyEvents: d.historyEvents }),
      row(`per hello-api release (${p.helloApiExecutions.length} executions)`, { statesEntered: totalOf(p.helloApiExecutions, 'statesEntered'), historyEvents: totalOf(p.helloApiExecutions, 'historyEvents') }),
      '',
      '| Full local release, instant rollouts and checks (POST → approvals the moment they are emailed → succeeded) | p50 | runs |',
      '|---|---|---|',
      `| hello-web (staging → prod, 1 approval) | ${ms(median(d.releaseWallMs))} | ${d.releaseWallMs.length} |`,
      `| hello-api (staging + smoke-test job → prod-eu ∥ prod-us, 1 approval each) | ${ms(median(p.helloApiWallMs))} | ${p.helloApiWallMs.length} |`,
    ],
    targets: [],
  };
}

export function burstSection(b: BurstFigures, count: number): Section {
  const statuses = Object.entries(b.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
  return {
    lines: [`${count} concurrent POST /v1/releases of one app, sent at once by a client in its own process: ${statuses}; p50 ${ms(b.p50)}, p99 ${ms(b.p99)}, all answered in ${ms(b.wallMs)}; the app's chain (${b.chainEvents} events) verifies: ${b.chainOk}.`],
    targets: [
      target(`${count} concurrent releases of one app accepted`, b.statuses['201'] ?? 0, count, 'releases', 'higher'),
      target(`${count} concurrent releases of one app, p99`, b.p99, 2000, 'ms'),
    ],
  };
}

export function doraAuditSection(m: DoraAuditFigures): Section {
  return {
    lines: [
      `| DORA metrics over ${m.deployments.toLocaleString('en')} synthetic deployments across ${m.apps} apps (loaded in ${m.loadSeconds.toFixed(1)} s) | p50 | p99 |`,
      '|---|---|---|',
      `| GET /v1/apps/{app}/envs/prod/metrics?days=90 (from day buckets, 200 calls) | ${ms(m.queryP50)} | ${ms(m.queryP99)} |`,
      `| the same answer by a full table scan of the raw deployments (1 run) | ${ms(m.scanMs)} | |`,
      '',
      `The bucket query is ${(m.scanMs / m.queryP50).toFixed(0)}× faster than the scan (p50). Audit chain verification of ${m.auditEvents.toLocaleString('en')} events: ${Math.round(m.verifyEventsPerSecondApi).toLocaleString('en')} events/s through GET /v1/audit/verify?full=true (read, check each item's shape, verify from the first event), ${Math.round(m.verifyEventsPerSecondPure).toLocaleString('en')} events/s in memory (median of 5); from a signed checkpoint ${m.sinceCheckpoint.toLocaleString('en')} events before the head, GET /v1/audit/verify answers in ${ms(m.verifyFromCheckpointMs)} whatever the chain's length.`,
    ],
    targets: [
      target('audit chain verification in memory', m.verifyEventsPerSecondPure, 100_000, 'events/s', 'higher'),
      // API Gateway's limit: the verify must fit in one request.
      target(`audit verify through the API from a checkpoint (${m.sinceCheckpoint.toLocaleString('en')} events since)`, m.verifyFromCheckpointMs, 30_000, 'ms'),
    ],
  };
}

export function scaleSection(s: ScaleFigures): Section {
  const refused = s.releases - (s.startStatuses['201'] ?? 0);
  const counts = (record: Record<string, number>) => Object.entries(record).map(([k, n]) => `${n}× ${k}`).join(', ') || 'none';
  const perRelease = s.perRelease.read + s.perRelease.write;
  const unfinished = (s.outcomes['running'] ?? 0) + (s.outcomes['waiting_for_approval'] ?? 0);
  return {
    lines: [
      `Scale run: ${s.apps} apps × ${s.releasesPerApp} releases = ${s.releases}, started by ${s.clients} concurrent CI clients, then approved by ${s.approvers} concurrent approvers through the emailed links (its own stack; every DynamoDB call through a metering proxy in the same process).`,
      '',
      '| phase | wall | throughput | answers |',
      '|---|---|---|---|',
      `| start (all POSTs answered) | ${ms(s.postWallMs)} | ${(s.releases / (s.postWallMs / 1000)).toFixed(1)} releases/s | ${counts(s.startStatuses)} |`,
      `| … until the last is waiting for approval (email sent) | ${ms(s.startWallMs)} | ${(s.waiting / (s.startWallMs / 1000)).toFixed(1)} releases/s | ${s.waiting} waiting, ${s.lost} lost |`,
      `| approve (one vote each) | ${ms(s.approveWallMs)} | ${(s.releases / (s.approveWallMs / 1000)).toFixed(1)} approvals/s | ${counts(s.approveStatuses)} |`,
      `| outcomes once ended | | | ${counts(s.outcomes)} |`,
      '',
      '| API call under the scale run | p50 | p99 | calls |',
      '|---|---|---|---|',
      ...Object.entries(s.calls).map(([name, c]) => `| ${name} | ${ms(c.p50)} | ${ms(c.p99)} | ${c.n} |`),
      '',
      '| DynamoDB capacity per release (start → approved → deployed), as DynamoDB Local reports it | read units | write units |',
      '|---|---|---|',
      ...Object.entries(s.byOperation).map(([op, c]) => `| ${op} | ${(c.read / s.releases).toFixed(1)} | ${(c.write / s.releases).toFixed(1)} |`),
      `| total | ${s.perRelease.read.toFixed(1)} | ${s.perRelease.write.toFixed(1)} |`,
      '',
      ...(unfinished > 0 ? [`${unfinished} releases had not ended when the wait ran out, so their deployments' writes are partly missing from these figures.`, ''] : []),
      'DynamoDB Local reports 4 write units per KB for an item of a TransactWriteItems (tried alone: one small Put), where AWS charges 2, so the write units and the cost below are an upper bound, up to twice the AWS figure.',
      '',
      `Cost per 1,000 releases: DynamoDB on-demand ${usd(s.cost.dynamodbPer1000)} (${perRelease.toFixed(0)} request units per release at $${(PRICES.writeUnit * 1e6).toFixed(3)}/M writes, $${(PRICES.readUnit * 1e6).toFixed(3)}/M reads, us-east-1) vs. Step Functions ${usd(s.cost.transitionsPer1000)} (${s.transitions} state transitions per release at $0.025 per 1,000). DynamoDB's error answers during the run: ${counts(s.errors)}.`,
    ],
    targets: [
      target(`${s.releases} releases from ${s.clients} clients, all waiting for approval`, s.startWallMs / 1000, 60, 's'),
      target(`${s.releases} releases refused or lost`, refused + s.lost, 0, 'releases'),
    ],
  };
}
