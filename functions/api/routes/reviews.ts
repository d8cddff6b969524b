import { auditEvent } from '../../domain/audit';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import { can } from '../../domain/authorization';
import { finalEnvironments } from '../../domain/release';
import { ForbiddenError, InvalidStateError, NotFoundError, SelfApprovalError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';
import { normaliseLineBreaks } from '../../domain/text';
import { releaseIdParam } from '../params';
import { readJson } from '../read-json';

export const reviewSchema = z.strictObject({ comment: z.string().check(z.minLength(1, 'a review needs a comment'), z.maxLength(2000)) });

/** B6: break-glass deployments wait here until an approver of the environment reviews them. */
export function reviewRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.get('/', async (c) => {
    const directory = await deps.directory.get();
    const identity = c.get('identity');
    const open = (await deps.releases.listOpenReviews()).filter((r) => finalEnvironments(r).some((environment) => can(directory, identity, 'review.close', { app: r.app, environment })));
    return c.json({
      reviews: open.map((r) => ({
        releaseId: r.id,
        app: r.app,
        environments: finalEnvironments(r),
        image: r.image,
        status: r.status,
        breakGlass: r.breakGlass,
      })),
    });
  });

  routes.post('/:releaseId', async (c) => {
    const id = releaseIdParam(c, 'releaseId');
    // The request's shape first: a malformed one is a 400 whoever sends it, before anything is read.
    const { comment } = await readJson(c, reviewSchema);
    const identity = c.get('identity');
    const release = await deps.releases.get(id);
    if (!release?.breakGlass) throw new NotFoundError(`release ${id} is not a break-glass deployment`);
    const directory = await deps.directory.get();
    const reviewable = finalEnvironments(release).some((environment) => can(directory, identity, 'review.close', { app: release.app, environment }));
    if (!reviewable) throw new ForbiddenError(`${identity} may not review break-glass deployments of ${release.app} (${finalEnvironments(release).join(', ')}); ask an admin for a grant`);
    if (release.breakGlass.by === identity) throw new SelfApprovalError(`${identity} broke the glass on release ${release.id} and cannot review it`);
    const at = deps.clock().toISOString();
    const review = { by: identity, comment: normaliseLineBreaks(comment).trim(), at };
    const closed = await deps.releases.closeReview(release.id, review, auditEvent(deps, {
      app: release.app,
      actor: identity,
      action: 'review.closed',
      subject: `release/${release.id}`,
      at,
      detail: { comment: review.comment },
    }));
    if (!closed) throw new InvalidStateError(`the break-glass deployment ${release.id} was already reviewed`);
    return c.json({ releaseId: release.id, review });
  });

  return routes;
}
