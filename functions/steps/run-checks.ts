import type { CheckPhase, CheckResult, CheckRunner } from '../domain/checks';
import { CheckFailedError, InvalidStateError } from '../domain/errors';
import type { Stage } from '../domain/release';
import { loadReleaseAndEnvironment, stepAudit } from './context';
import type { DeployStepDeps } from './deploy';
import { checksFor, recordDeployOutcome } from './deploy-outcome';

export interface RunChecksDeps extends DeployStepDeps {
  checks: CheckRunner;
}

export interface RunChecksInput {
  releaseId: string;
  environment: string;
  phase: CheckPhase;
}

/** Output of RunPre/PostDeploymentChecks, shown in the execution history. */
export interface RunChecksOutput {
  environment: string;
  phase: CheckPhase;
  checks: Array<Pick<CheckResult, 'name' | 'kind' | 'passed' | 'summary'>>;
}

/**
 * Runs the environment's checks of one phase, one after the other, keeping
 * each result with the stage as it comes (a retried invocation reuses the
 * results it finds and runs only the rest). The first failing check ends the
 * step with CheckFailed: before the deploy, nothing was changed; after it, the
 * state machine rolls back. Passing post-deployment checks complete the
 * deployment (history, metrics, what the environment runs).
 */
export function createRunChecksStep(deps: RunChecksDeps) {
  return async ({ releaseId, environment, phase }: RunChecksInput): Promise<RunChecksOutput> => {
    const { release, env } = await loadReleaseAndEnvironment(deps, releaseId, environment);
    const recorded = release.stages[environment];
    if (!recorded) throw new InvalidStateError(`release ${releaseId} has no stage in ${environment}`);
    // Past the approval (or without one): the promotion is under way (written with the first result; the deploy writes it otherwise).
    let stage: Stage = recorded.status === 'queued' || recorded.status === 'waiting_for_approval' ? { ...recorded, status: 'running' } : recorded;
    const results: CheckResult[] = [];
    for (const check of checksFor(env, release, phase)) {
      const earlier = stage.checks?.find((r) => r.phase === phase && r.name === check.name);
      const result = earlier ?? (await deps.checks.run(check, { app: env.app, environment, ...(env.target.cluster ? { cluster: env.target.cluster } : {}), namespace: env.target.namespace, image: release.image, releaseId }));
      results.push(result);
      if (!earlier) {
        stage = { ...stage, checks: [...(stage.checks ?? []), result] };
        const action = result.passed ? 'check.passed' : 'check.failed';
        await deps.releases.saveStage(release, stage, stepAudit(deps, release, action, `${environment}/checks/${check.name}`, { phase, kind: check.kind, summary: result.summary }));
        deps.log.info(`check ${result.passed ? 'passed' : 'failed'}`, { releaseId, environment, phase, check: check.name, summary: result.summary });
      }
      if (!result.passed) throw new CheckFailedError(`${phase}-deployment check "${check.name}" (${check.kind}) failed: ${result.summary}`);
    }
    if (phase === 'post' && stage.status === 'running' && stage.rolledOutAt) await recordDeployOutcome(deps, release, env, stage, 'succeeded');
    return { environment, phase, checks: results.map(({ name, kind, passed, summary }) => ({ name, kind, passed, summary })) };
  };
}
