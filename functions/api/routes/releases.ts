import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { IdempotencyKeyReusedError, NotFoundError, ValidationError } from '../../domain/errors';
import type { ReleaseView } from '../../domain/ports';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorize } from '../../usecases/permissions';
import { releaseIdParam } from '../params';
import { readJson } from '../read-json';
import { releaseResponse } from '../release-view';
import { releaseRequestSchema, startRelease } from '../../usecases/start-release';
import { cancelRelease } from '../../usecases/cancel-release';

const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

export function releaseRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.post('/', async (c) => {
    const request = await readJson(c, releaseRequestSchema);
    const identity = c.get('identity');
    const key = c.req.header('idempotency-key');
    if (key === undefined) {
      const release = await startRelease(deps, request, identity);
      return c.json(releaseResponse({ release, approvals: [] }, deps.clock(), undefined, deps.executionUrl), 201, { location: `/v1/releases/${release.id}` });
    }
    if (!IDEMPOTENCY_KEY.test(key)) throw new ValidationError('Idempotency-Key must be 1–128 letters, digits, ".", ":", "_" or "-"');
    // The canonical body (after validation and defaults), so formatting differences do not matter.
    const bodyHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    // No read of the key first (issue 13): the release's transaction takes the key only if it is free, so a key
    // seen before refuses the write (nothing is written) and only then is the first answer read.
    try {
      const release = await startRelease(deps, request, identity, { idempotency: { identity, key, bodyHash } });
      return c.json(releaseResponse({ release, approvals: [] }, deps.clock(), undefined, deps.executionUrl), 201, { location: `/v1/releases/${release.id}` });
    } catch (error) {
      // The key was used before (or by a concurrent retry that won the race), whatever refused this attempt: answer as the first time, or 422.
      const raced = await replayIfSeen(deps, c, identity, key, bodyHash);
      if (raced) return raced;
      throw error;
    }
  });

  routes.get('/:id', async (c) => {
    const view = await loadView(deps, releaseIdParam(c));
    const directory = await authorize(deps.directory, c.get('identity'), 'release.view', { app: view.release.app, environment: '*' });
    return c.json(releaseResponse(view, deps.clock(), directory, deps.executionUrl));
  });

  /**
   * The history of each promotion's execution (one per environment), in
   * pipeline order, for where the AWS console is not at hand (the local stack
   * links here). `?environment=` narrows it to one.
   */
  routes.get('/:id/history', async (c) => {
    const view = await loadView(deps, releaseIdParam(c));
    await authorize(deps.directory, c.get('identity'), 'release.view', { app: view.release.app, environment: '*' });
    const only = c.req.query('environment');
    const stages = view.release.pipeline
      .map(({ name }) => view.release.stages[name])
      .filter((stage) => stage?.executionArn && (only === undefined || stage.environment === only));
    if (only !== undefined && stages.length === 0) throw new NotFoundError(`release ${view.release.id} has no execution for environment "${only}"`);
    const executions = [];
    for (const stage of stages) {
      const executionArn = stage?.executionArn ?? '';
      const events = await deps.workflow.history(executionArn);
      // A history that expired (90 days in AWS) is said so; the release record and the audit trail still tell what happened.
      executions.push({ environment: stage?.environment, executionArn, ...(events ? { events } : { expired: true }) });
    }
    return c.json({ releaseId: view.release.id, executions });
  });

  /**
   * D5/S8: the requester may cancel while any environment waits for approval:
   * every open request is cancelled, and the release stops (what already
   * deploys finishes; nothing new starts).
   */
  routes.post('/:id/cancel', async (c) => {
    const { id, status } = await cancelRelease(deps, releaseIdParam(c), c.get('identity'));
    return c.json({ id, status }, 202);
  });

  return routes;
}

async function loadView(deps: ApiDeps, id: string): Promise<ReleaseView> {
  const view = await deps.releases.view(id);
  if (!view) throw new NotFoundError(`release ${id} does not exist`);
  return view;
}

/** B11: the same key and body within 24 h answers as the first time and starts nothing. */
async function replayIfSeen(deps: ApiDeps, c: Context<ApiEnv>, identity: string, key: string, bodyHash: string): Promise<Response | undefined> {
  const seen = await deps.releases.findIdempotency(identity, key);
  if (!seen || seen.expiresAt * 1000 <= deps.clock().getTime()) return undefined;
  if (seen.bodyHash !== bodyHash) {
    throw new IdempotencyKeyReusedError(`Idempotency-Key "${key}" was used at ${seen.createdAt} for a different request (release ${seen.releaseId}); use a new key`);
  }
  const view = await deps.releases.view(seen.releaseId);
  if (!view) throw new NotFoundError(`release ${seen.releaseId} does not exist`);
  return c.json(releaseResponse(view, deps.clock(), undefined, deps.executionUrl), 201, { location: `/v1/releases/${seen.releaseId}`, 'idempotent-replayed': 'true' });
}
