import { STEP_ACTOR, type AuditAction, type AuditEvent } from '../domain/audit';
import { NotFoundError } from '../domain/errors';
import type { CatalogStore, ReleaseStore } from '../domain/ports';
import type { Release } from '../domain/release';
import type { Environment } from '../domain/catalog';
import type { Essentials } from '../usecases/deps';

/** What every step handler gets: stores, a clock, ids and a logger. */
export interface StepContext extends Essentials {
  releases: ReleaseStore;
  catalog: CatalogStore;
}

export { STEP_ACTOR } from '../domain/audit';

export function stepAudit(
  ctx: StepContext,
  release: Pick<Release, 'id' | 'app'>,
  action: AuditAction,
  subject: string,
  detail?: Record<string, unknown>,
): AuditEvent {
  return {
    id: ctx.newId(),
    app: release.app,
    actor: STEP_ACTOR,
    action,
    subject: `release/${release.id}${subject ? `/${subject}` : ''}`,
    at: ctx.clock().toISOString(),
    ...(detail ? { detail } : {}),
  };
}

export async function loadReleaseAndEnvironment(
  ctx: StepContext,
  releaseId: string,
  environment: string,
): Promise<{ release: Release; env: Environment }> {
  const release = await ctx.releases.get(releaseId);
  if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
  const env = await ctx.catalog.getEnvironment(release.app, environment);
  if (!env) throw new NotFoundError(`app ${release.app} has no environment ${environment}`);
  return { release, env };
}

/** Input of the deploy and rollback states. */
export interface EnvironmentStepInput {
  releaseId: string;
  environment: string;
}
