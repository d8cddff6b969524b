import type { ApprovalRequest } from '../domain/approval';
import { auditEvent, STEP_ACTOR } from '../domain/audit';
import { buildPipeline, type Pipeline } from '../domain/pipeline';
import { blockedBy, readyToStart, releaseOutcome, type PipelineStageState, type PipelineStates } from '../domain/pipeline-progress';
import type { ApprovalStore, ReleaseView } from '../domain/ports';
import { endingWords, isTerminal, pipelineStateOf, stopReason, type Release, type ReleaseStatus, type Stage } from '../domain/release';
import { endPendingRequest } from './end-request';
import { queueAndStart, type PromotionDeps } from './promotions';
import type { CallbackDeps } from './task-callbacks';

export interface AdvanceDeps extends Omit<CallbackDeps, 'workflow'>, PromotionDeps {
  approvals: ApprovalStore;
}

/**
 * Moves a release on after one of its stages changed (a promotion ended, the
 * reconciler found something): starts every environment whose predecessors
 * all succeeded; once any environment ended otherwise, stops the release
 * (nothing new starts, open approvals are cancelled, environments that never
 * started are cancelled with the reason; promotions already deploying
 * finish); and ends the release when nothing in it can change any more.
 *
 * Safe to call any number of times, from several promotions at once: every
 * write is conditional (a stage is added once, a request closed once, the
 * release finished once), so the same state always leads to the same result.
 * Returns the release's status afterwards.
 */
export async function advanceRelease(deps: AdvanceDeps, releaseId: string, actor = STEP_ACTOR): Promise<ReleaseStatus | undefined> {
  const view = await deps.releases.view(releaseId);
  if (!view || isTerminal(view.release.status)) return view?.release.status;
  const { release } = view;
  const pipeline = buildPipeline(release.pipeline);
  const states = statesOf(release);
  const cause = stopReason(release);
  if (cause) {
    Object.assign(states, await stop(deps, view, pipeline, states, cause));
  } else {
    for (const environment of readyToStart(pipeline, states)) {
      if (await queueAndStart(deps, release, environment)) states[environment] = 'running';
    }
  }
  const outcome = releaseOutcome(pipeline, states);
  if (!outcome.settled) return outcome.status;
  const reason = outcome.status === 'succeeded' ? undefined : reasonFor(release, pipeline, outcome.status);
  const at = deps.clock().toISOString();
  const audit = auditEvent(deps, { app: release.app, actor, action: 'release.finished', subject: `release/${release.id}`, at, detail: { status: outcome.status, ...(reason ? { reason } : {}) } });
  const finished = await deps.releases.finish(release.id, { status: outcome.status, at, ...(reason ? { reason } : {}) }, audit);
  if (finished) deps.log.info('release finished', { releaseId: release.id, status: outcome.status, reason });
  return outcome.status;
}

function statesOf(release: Release): Record<string, PipelineStageState> {
  return Object.fromEntries(release.pipeline.map(({ name }) => [name, pipelineStateOf(release.stages[name])]));
}

/**
 * Cancels what waits for people and what never started. Returns the states
 * this changed at once (environments that never started); waiting ones end
 * when their executions record the cancellation.
 */
async function stop(deps: AdvanceDeps, view: ReleaseView, pipeline: Pipeline, states: PipelineStates, cause: string): Promise<PipelineStates> {
  const { release } = view;
  for (const request of view.approvals.filter(isOpenImageRequest)) {
    const reason = `the release stopped because ${cause}`;
    const audit = auditEvent(deps, { app: release.app, actor: STEP_ACTOR, action: 'release.cancelled', subject: `release/${release.id}/approval/${request.environment}`, detail: { reason } });
    if (await endPendingRequest(deps, request, { status: 'cancelled', reason, audit })) {
      deps.log.info('approval cancelled: the release stopped', { releaseId: release.id, environment: request.environment, reason });
    }
  }
  const blocked = new Map(blockedBy(pipeline, states).map((b) => [b.environment, b.reason]));
  const changed: Record<string, 'cancelled'> = {};
  for (const environment of pipeline.order.filter((name) => states[name] === 'pending')) {
    const at = deps.clock().toISOString();
    const detail = blocked.get(environment) ?? `"${environment}" was not started because ${cause}`;
    const stage: Stage = { environment, status: 'cancelled', image: release.image, startedAt: at, finishedAt: at, detail };
    const audit = auditEvent(deps, { app: release.app, actor: STEP_ACTOR, action: 'promotion.finished', subject: `release/${release.id}/${environment}`, at, detail: { status: 'cancelled', reason: detail } });
    await deps.releases.addStage(release.id, stage, audit);
    changed[environment] = 'cancelled';
  }
  return changed;
}

const isOpenImageRequest = (request: ApprovalRequest): boolean => request.gate === 'image' && request.status === 'pending';

/** Why the release ended as it did: the environments whose ending decided it, with their reasons. */
function reasonFor(release: Release, pipeline: Pipeline, status: ReleaseStatus): string {
  const deciding = pipeline.order.filter((name) => {
    const state = pipelineStateOf(release.stages[name]);
    return status === 'failed' ? state === 'failed' || state === 'rolled_back' : state === status;
  });
  const shown = deciding.length > 0 ? deciding : pipeline.order.filter((name) => release.stages[name]?.status !== 'succeeded');
  return shown.map((name) => `${name}: ${endingWords(release.stages[name])}`).join('; ');
}
