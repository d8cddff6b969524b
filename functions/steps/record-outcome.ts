import { NotFoundError } from '../domain/errors';
import type { ReleaseOutcome } from '../domain/release';
import { stepAudit, type StepContext } from './context';
import { describeFailure, type StepFailure } from './failure';

export type RecordOutcomeDeps = StepContext;

export interface RecordOutcomeInput {
  releaseId: string;
  outcome: ReleaseOutcome;
  /** The Catch result of the state that failed: `{ Error, Cause }`. */
  failure?: StepFailure;
}

/**
 * Ends the release with its outcome. The store closes any request still
 * pending in the same transaction (an expiry, a failure while waiting), so a
 * link can never decide a finished release. Idempotent: a retried step finds
 * the release finished and changes nothing.
 */
export function createRecordOutcomeStep(deps: RecordOutcomeDeps) {
  return async ({ releaseId, outcome, failure }: RecordOutcomeInput): Promise<{ releaseId: string; status: ReleaseOutcome; reason?: string }> => {
    const release = await deps.releases.get(releaseId);
    if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
    const reason = describeFailure(failure);
    const finished = await deps.releases.finish(
      releaseId,
      { status: outcome, at: deps.clock().toISOString(), ...(reason ? { reason } : {}) },
      stepAudit(deps, release, 'release.finished', '', { status: outcome, ...(reason ? { reason } : {}) }),
    );
    deps.log.info('release finished', { releaseId, status: outcome, reason, alreadyFinished: !finished });
    return { releaseId, status: outcome, ...(reason ? { reason } : {}) };
  };
}
