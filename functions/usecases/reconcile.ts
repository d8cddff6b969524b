import { type ApprovalRequest } from '../domain/approval';
import { auditEvent } from '../domain/audit';
import type { Environment } from '../domain/catalog';
import type { ReleaseStore, Workflow } from '../domain/ports';
import { isStageEnded, isTerminal, type Release, type Stage } from '../domain/release';
import { advanceRelease, type AdvanceDeps } from './advance-release';
import { startPromotion } from './promotions';
import { errorFields } from '../observability/logger';
import { observeEnvironment, type DriftDeps } from './drift';
import { decisionCallback } from './record-vote';
import { deliverDueWebhooks, type WebhookDeliveryDeps, type WebhookPassReport } from './webhook-delivery';
import { send } from './task-callbacks';

export const RECONCILER_ACTOR = 'system:reconciler';

/** A release younger than this may still be starting its execution. */
const START_GRACE_MS = 2 * 60_000;
const OUTBOX_BATCH = 100;

export interface ReconcileDeps extends DriftDeps, AdvanceDeps, WebhookDeliveryDeps {
  releases: ReleaseStore;
  workflow: Workflow;
}

export interface ReconcileReport {
  /** Outbox callbacks delivered (or found no longer needed). */
  delivered: number;
  /** Decisions of in-flight releases sent again (most find their task already resumed). */
  resent: number;
  /** Promotions (`release/environment`) ended because their execution had ended or never existed… */
  ended: string[];
  /** …or started again because their start was lost. */
  restarted: string[];
  /** Releases that ended on this pass. */
  finished: string[];
  /** Environments found drifted on this pass (`app/env`). */
  drifted: string[];
  /** Faults met on this pass (the next pass tries again). */
  errors: number;
  /** Webhook deliveries that came due: delivered, failed again, parked dead. */
  webhooks: WebhookPassReport;
}

/**
 * One pass of the reconciler (every minute in AWS, on a timer locally). It
 * repairs what single faults leave behind, and is idempotent and safe to run
 * twice at once (every write it makes is conditional):
 *  1. delivers task callbacks the outbox holds;
 *  2. for every in-flight release (an index Query, no Scan), each unfinished
 *     promotion against its execution (see reconcileRelease), then the
 *     release is moved on or ended;
 *  3. compares every environment no deploy is changing with its cluster (drift);
 *  4. retries the webhook deliveries that are due (an index Query by due time).
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { delivered: 0, resent: 0, ended: [], restarted: [], finished: [], drifted: [], errors: 0, webhooks: { delivered: 0, retrying: 0, dead: 0 } };
  await deliverOutbox(deps, report);
  const inFlight = await deps.releases.listInFlight();
  for (const release of inFlight) {
    await guarded(deps, report, { releaseId: release.id }, () => reconcileRelease(deps, release, report));
  }
  const busy = new Set(inFlight.map((release) => release.id));
  for (const env of await deps.health.listEnvironments()) {
    // A deploy or rollback in flight is changing this cluster right now: not drift. Nothing recorded, nothing to compare.
    if ((env.deploying && busy.has(env.deploying.releaseId)) || !env.current) continue;
    await guarded(deps, report, { app: env.app, environment: env.name }, () => checkDrift(deps, env, report));
  }
  await guarded(deps, report, { pass: 'webhooks' }, async () => {
    report.webhooks = await deliverDueWebhooks(deps);
  });
  const { webhooks } = report;
  if (webhooks.delivered || webhooks.retrying || webhooks.dead || report.delivered || report.ended.length || report.restarted.length || report.finished.length || report.drifted.length || report.errors) deps.log.info('reconciled', { ...report });
  return report;
}

async function deliverOutbox(deps: ReconcileDeps, report: ReconcileReport): Promise<void> {
  for (const item of await deps.outbox.list(OUTBOX_BATCH)) {
    try {
      const outcome = await send(deps.workflow, item.callback);
      await deps.outbox.remove(item.id);
      report.delivered += 1;
      deps.log.info('outbox callback delivered', { releaseId: item.releaseId, callback: item.callback.kind, outcome, attempts: item.attempts + 1 });
    } catch (error) {
      report.errors += 1;
      const { error: name, detail } = errorFields(error);
      await deps.outbox.recordAttempt(item.id, `${String(name)}: ${String(detail ?? '')}`);
    }
  }
}

/**
 * Each unfinished promotion of the release is compared with its execution: a
 * decided request whose execution still runs gets its decision again; an
 * execution that ended (or never started) while the stage says otherwise ends
 * the stage `failed`, naming why and what it left behind; a queued stage whose
 * start was lost is started. Then the release is moved on (advanceRelease),
 * which also ends it once nothing can change any more.
 */
async function reconcileRelease(deps: ReconcileDeps, release: Release, report: ReconcileReport): Promise<void> {
  const view = await deps.releases.view(release.id);
  if (!view || isTerminal(view.release.status)) return;
  for (const stage of Object.values(view.release.stages).filter((s) => !isStageEnded(s.status) && s.executionArn)) {
    const execution = await deps.workflow.describe(stage.executionArn ?? '');
    if (execution?.status === 'RUNNING') {
      for (const request of view.approvals.filter((r) => r.environment === stage.environment && isDecidedImageRequest(r))) {
        if ((await send(deps.workflow, decisionCallback(request))) === 'delivered') {
          report.resent += 1;
          deps.log.warn('decision delivered by the reconciler', { releaseId: release.id, environment: request.environment, status: request.status });
        }
      }
      continue;
    }
    if (!execution && deps.clock().getTime() - Date.parse(stage.startedAt) < START_GRACE_MS) continue;
    if (!execution && stage.status === 'queued') {
      await startPromotion(deps, view.release, stage);
      report.restarted.push(`${release.id}/${stage.environment}`);
      continue;
    }
    await endLostPromotion(deps, view.release, stage, execution);
    report.ended.push(`${release.id}/${stage.environment}`);
  }
  if (isTerminal((await advanceRelease(deps, release.id, RECONCILER_ACTOR)) ?? 'running')) report.finished.push(release.id);
}

/** The execution ended without recording its stage: the stage fails with why. */
async function endLostPromotion(deps: ReconcileDeps, release: Release, stage: Stage, execution: { status: string; error?: string; cause?: string } | undefined): Promise<void> {
  const why = execution
    ? `its workflow execution ended ${execution.status}${execution.error ? ` (${execution.error}${execution.cause ? `: ${execution.cause}` : ''})` : ''} before the outcome was recorded`
    : 'its workflow execution does not exist (it never started, or was lost)';
  const at = deps.clock().toISOString();
  const left = stage.deployStartedAt ? '; the reconciler compares what the cluster runs with the record (drift)' : '; nothing was deployed';
  const ended: Stage = { ...stage, status: 'failed', finishedAt: at, detail: `${why}${left}` };
  const audit = auditEvent(deps, { app: release.app, actor: RECONCILER_ACTOR, action: 'promotion.finished', subject: `release/${release.id}/${stage.environment}`, at, detail: { status: 'failed', reason: ended.detail } });
  await deps.releases.saveStage(release, ended, audit);
  deps.log.warn('promotion ended by the reconciler', { releaseId: release.id, environment: stage.environment, reason: ended.detail });
}

const isDecidedImageRequest = (request: ApprovalRequest): boolean =>
  request.gate === 'image' && (request.status === 'approved' || request.status === 'rejected');

async function checkDrift(deps: ReconcileDeps, env: Environment, report: ReconcileReport): Promise<void> {
  const { drift, unrecorded } = await observeEnvironment(deps, env, RECONCILER_ACTOR);
  // Unrecorded: the environment changed since it was listed (a deploy started); the next pass looks again.
  if (drift && !unrecorded) report.drifted.push(`${env.app}/${env.name}`);
}

/** One item's fault is logged and counted; the pass goes on with the others. */
async function guarded(deps: ReconcileDeps, report: ReconcileReport, subject: Record<string, string>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    report.errors += 1;
    deps.log.error('reconciler could not repair an item; the next pass retries', { ...subject, ...errorFields(error) });
  }
}
