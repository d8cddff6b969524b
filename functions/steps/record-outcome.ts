import type { ApprovalStore } from '../domain/ports';
import { isStageEnded, type Stage } from '../domain/release';
import { advanceRelease, type AdvanceDeps } from '../usecases/advance-release';
import { loadReleaseAndEnvironment, stepAudit, type StepContext } from './context';
import { describeFailure, type StepFailure } from './failure';

export interface RecordOutcomeDeps extends StepContext, AdvanceDeps {
  approvals: ApprovalStore;
}

/** How a promotion ended, as its Record* state reports it. */
export type PromotionOutcome = Extract<Stage['status'], 'succeeded' | 'rejected' | 'expired' | 'failed' | 'cancelled' | 'superseded'>;

export interface RecordOutcomeInput {
  releaseId: string;
  environment: string;
  outcome: PromotionOutcome;
  /** The Catch result of the state that failed: `{ Error, Cause }`. */
  failure?: StepFailure;
}

/**
 * Ends one environment's promotion with its outcome, then moves the release on
 * (starts what follows, or stops it, or ends it: advanceRelease). A request
 * still open (the approval timed out) is closed first, so no link can decide
 * it. A stage the deploy or rollback already ended keeps that ending (a
 * rolled-back stage stays `rolled_back`). Idempotent: a retried step changes
 * nothing more.
 */
export function createRecordOutcomeStep(deps: RecordOutcomeDeps) {
  return async ({ releaseId, environment, outcome, failure }: RecordOutcomeInput) => {
    const { release } = await loadReleaseAndEnvironment(deps, releaseId, environment);
    const reason = describeFailure(failure);
    const open = await deps.approvals.get(releaseId, environment);
    if (open?.status === 'pending' && open.gate === 'image') {
      const closing = outcome === 'expired' || outcome === 'superseded' ? outcome : 'cancelled';
      await deps.approvals.close(open, closing, reason ?? `the promotion ended ${outcome}`, stepAudit(deps, release, 'approval.decided', `approval/${environment}`, { status: closing, reason }));
    }
    const stage = release.stages[environment];
    if (stage && !isStageEnded(stage.status)) {
      const ended: Stage = { ...stage, status: outcome, finishedAt: deps.clock().toISOString(), ...(reason ? { detail: reason } : {}) };
      await deps.releases.saveStage(release, ended, stepAudit(deps, release, 'promotion.finished', environment, { status: outcome, ...(reason ? { reason } : {}) }));
    }
    const releaseStatus = await advanceRelease(deps, releaseId);
    deps.log.info('promotion recorded', { releaseId, environment, outcome, reason, releaseStatus });
    return { releaseId, environment, outcome, releaseStatus, ...(reason ? { reason } : {}) };
  };
}
