import type { Environment } from '../domain/catalog';
import { lastGoodBefore, type Deployment } from '../domain/deployment';
import { InvalidStateError, ValidationError } from '../domain/errors';
import type { Release } from '../domain/release';
import { checkText, normaliseLineBreaks } from '../domain/text';
import type { UseCaseDeps } from './deps';
import { deploymentOrFail, environmentFor } from './deployment-history';
import { launch, singleEnvironmentRelease } from './launch';

/**
 * S10: redeploying an earlier deployment's exact digest, the one code path
 * behind `POST /v1/apps/{app}/envs/{env}/rollback` and the dashboard's
 * rollback form. Deployers only; audited as `release.rollback` with the actor
 * and the reason.
 */

export const MAX_ROLLBACK_REASON = 2000;

export interface RollbackPlan {
  environment: Environment;
  /** The deployment whose image (and configuration version) comes back. */
  target: Deployment;
}

/**
 * What a rollback would do, without doing it (the dashboard's confirmation
 * page shows it): the target named, or by default the last good deployment
 * before what runs now. Refused unless `identity` may roll back there and the
 * target succeeded.
 */
export async function planRollback(deps: UseCaseDeps, identity: string, app: string, env: string, deploymentId?: string): Promise<RollbackPlan> {
  const environment = await environmentFor(deps, identity, app, env, 'release.rollback');
  const target = deploymentId
    ? await deploymentOrFail(deps, app, env, deploymentId)
    : lastGoodBefore((await deps.deployments.history(app, env, { limit: 100 })).deployments, environment.current?.image);
  if (!target) throw new InvalidStateError(`${app}/${env} has no earlier successful deployment to roll back to`);
  if (target.result !== 'succeeded') throw new InvalidStateError(`deployment ${target.id} did not succeed (${target.result}); roll back to a good one`);
  return { environment, target };
}

/** A reason as people type it: line breaks normalised, no control or bidi characters, trimmed, 1–2000 characters. */
export function rollbackReason(text: string): string {
  const reason = checkText(normaliseLineBreaks(text), 'the reason', { multiline: true }).trim();
  if (reason === '') throw new ValidationError('reason: say why you roll back');
  if (reason.length > MAX_ROLLBACK_REASON) throw new ValidationError(`reason: at most ${MAX_ROLLBACK_REASON} characters`);
  return reason;
}

/**
 * Launches the rollback through the state machine (so the console shows it),
 * without a new approval unless the policy asks for one: it was approved for
 * this environment when it first shipped.
 */
export async function rollBack(deps: UseCaseDeps, identity: string, input: { app: string; env: string; deploymentId?: string; reason: string }): Promise<{ release: Release; target: Deployment }> {
  const reason = rollbackReason(input.reason);
  const { environment, target } = await planRollback(deps, identity, input.app, input.env, input.deploymentId);
  const draft = singleEnvironmentRelease(deps, {
    type: 'rollback',
    app: input.app,
    environment: input.env,
    image: target.image,
    labels: ['rollback'],
    requestedBy: identity,
    approvedBy: target.approvers,
    comment: reason,
    commit: target.commit,
    rollbackOf: { deploymentId: target.id, reason, ...(target.configVersion !== undefined ? { configVersion: target.configVersion } : {}) },
  });
  const release = await launch(deps, draft, {
    action: 'release.rollback',
    detail: { to: target.id, image: target.image, from: environment.current?.image, reason },
  });
  return { release, target };
}
