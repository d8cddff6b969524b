import { Hono } from 'hono';
import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../../domain/errors';
import { requireToken } from '../auth';
import type { ApiDeps, ApiEnv } from '../deps';
import { readJson } from '../read-json';
import { releaseResponse } from '../release-view';
import { releaseRequestSchema, startRelease } from '../start-release';

const RELEASE_ID = /^[0-9a-f-]{36}$/;

export function releaseRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireToken(deps));

  routes.post('/', async (c) => {
    const request = await readJson(c, releaseRequestSchema);
    const release = await startRelease(deps, request, c.get('identity'));
    const view = releaseResponse({ release, approvals: [] });
    return c.json(view, 201, { location: `/v1/releases/${release.id}` });
  });

  routes.get('/:id', async (c) => {
    const view = await deps.releases.view(releaseId(c.req.param('id')));
    if (!view) throw new NotFoundError(`release ${c.req.param('id')} does not exist`);
    return c.json(releaseResponse(view));
  });

  /** D5: the requester may cancel while the release waits for approval. */
  routes.post('/:id/cancel', async (c) => {
    const identity = c.get('identity');
    const view = await deps.releases.view(releaseId(c.req.param('id')));
    if (!view) throw new NotFoundError(`release ${c.req.param('id')} does not exist`);
    const { release } = view;
    if (release.requestedBy !== identity) throw new ForbiddenError(`only ${release.requestedBy}, who requested release ${release.id}, can cancel it`);
    const pending = view.approvals.find((a) => a.status === 'pending');
    if (release.status !== 'waiting_for_approval' || !pending) {
      throw new InvalidStateError(`release ${release.id} is ${release.status}; only a release waiting for approval can be cancelled`);
    }
    const closed = await deps.approvals.close(pending, 'cancelled', {
      id: deps.newId(),
      app: release.app,
      actor: identity,
      action: 'release.cancelled',
      subject: `release/${release.id}`,
      at: deps.clock().toISOString(),
    });
    if (!closed) throw new InvalidStateError(`the approval of release ${release.id} was decided meanwhile; it can no longer be cancelled`);
    await deps.workflow.fail(pending.taskToken, 'ReleaseCancelled', `Cancelled by ${identity}`);
    deps.log.info('release cancelled', { releaseId: release.id, by: identity });
    return c.json({ id: release.id, status: 'cancelled' }, 202);
  });

  return routes;
}

function releaseId(id: string): string {
  if (!RELEASE_ID.test(id)) throw new ValidationError(`"${id}" is not a release id`);
  return id;
}
