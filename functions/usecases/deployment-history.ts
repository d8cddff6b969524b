import type { Action } from '../domain/authorization';
import type { Environment } from '../domain/catalog';
import { DEPLOYMENT_ID, type Deployment } from '../domain/deployment';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { DeploymentPage } from '../domain/ports';
import type { UseCaseDeps } from './deps';
import { authorize } from './permissions';

/**
 * S9–S10 as every face shows them (the JSON API and the dashboard): an
 * environment's deployment history page by page, one deployment, and what
 * differs between two.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'catalog' | 'deployments'>;

/** The environment, once `identity` may do `action` there; 403 before 404, as every route. */
export async function environmentFor(deps: Pick<UseCaseDeps, 'directory' | 'catalog'>, identity: string, app: string, env: string, action: Action): Promise<Environment> {
  await authorize(deps.directory, identity, action, { app, environment: env });
  const environment = await deps.catalog.getEnvironment(app, env);
  if (!environment) throw new NotFoundError(`app ${app} has no environment ${env}`);
  return environment;
}

/** Newest first, `limit` per page; `cursor` (from the previous page) goes further back. */
export async function deploymentHistory(deps: Deps, identity: string, app: string, env: string, page: { limit: number; cursor?: string }): Promise<DeploymentPage> {
  await environmentFor(deps, identity, app, env, 'release.view');
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 100) throw new ValidationError('limit must be a whole number from 1 to 100');
  return deps.deployments.history(app, env, { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) });
}

/** One deployment of the environment by its id (a 400 for something that is not an id, 404 when there is none). */
export async function deploymentOrFail(deps: Pick<UseCaseDeps, 'deployments'>, app: string, env: string, id: string | undefined): Promise<Deployment> {
  if (!id || !DEPLOYMENT_ID.test(id)) throw new ValidationError('pass deployment ids from the history');
  const deployment = await deps.deployments.get(app, env, id);
  if (!deployment) throw new NotFoundError(`no deployment ${id} in ${app}/${env}`);
  return deployment;
}

const COMPARED = ['image', 'configVersion', 'configHash', 'commit', 'requestedBy', 'approvers', 'result', 'type'] as const;

export interface DeploymentChange {
  field: (typeof COMPARED)[number];
  from: unknown;
  to: unknown;
}

/** What differs between two deployments: image, configuration version and hash, commit, people, result, kind. */
export function changesBetween(a: Deployment, b: Deployment): DeploymentChange[] {
  return COMPARED.filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field])).map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));
}

/** Two deployments of the environment and what differs between them. */
export async function compareDeployments(deps: Deps, identity: string, app: string, env: string, ids: { from: string | undefined; to: string | undefined }) {
  await environmentFor(deps, identity, app, env, 'release.view');
  const [from, to] = await Promise.all([deploymentOrFail(deps, app, env, ids.from), deploymentOrFail(deps, app, env, ids.to)]);
  return { from, to, changes: changesBetween(from, to) };
}
