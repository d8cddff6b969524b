import type { ApprovalStore } from '../domain/ports';
import type { ReleaseOutcome } from '../domain/release';
import { stepAudit, type StepContext } from './context';

export interface RecordOutcomeDeps extends StepContext {
  approvals: ApprovalStore;
}

export interface RecordOutcomeInput {
  releaseId: string;
  outcome: ReleaseOutcome;
  /** The Catch result of the state that failed: `{ Error, Cause }`. */
  failure?: { Error?: string; Cause?: string };
}

/** Ends the release with its outcome; an expired wait also closes the approval request. */
export function createRecordOutcomeStep(deps: RecordOutcomeDeps) {
  return async ({ releaseId, outcome, failure }: RecordOutcomeInput): Promise<{ releaseId: string; status: ReleaseOutcome; reason?: string }> => {
    const release = await deps.releases.get(releaseId);
    if (!release) throw new Error(`release ${releaseId} does not exist`);
    const reason = describeFailure(failure);
    if (outcome === 'expired' || outcome === 'cancelled' || outcome === 'superseded') {
      // Usually closed already by whoever cancelled or superseded it; an expiry closes it here.
      const request = await deps.approvals.get(releaseId, release.productionEnvironment);
      if (request?.status === 'pending') {
        await deps.approvals.close(request, outcome, reason ?? outcome, stepAudit(deps, release, 'approval.decided', `approval/${request.environment}`, { status: outcome }));
      }
    }
    const finished = await deps.releases.finish(
      releaseId,
      { status: outcome, at: deps.clock().toISOString(), ...(reason ? { reason } : {}) },
      stepAudit(deps, release, 'release.finished', '', { status: outcome, ...(reason ? { reason } : {}) }),
    );
    deps.log.info('release finished', { releaseId, status: outcome, reason, alreadyFinished: !finished });
    return { releaseId, status: outcome, ...(reason ? { reason } : {}) };
  };
}

/** Lambda errors arrive as a JSON Cause with errorMessage; task failures carry plain text. */
function describeFailure(failure: RecordOutcomeInput['failure']): string | undefined {
  if (!failure?.Error && !failure?.Cause) return undefined;
  let cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // plain-text cause
  }
  return [failure.Error, cause].filter(Boolean).join(': ');
}
