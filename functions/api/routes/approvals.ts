import { Hono } from 'hono';
import * as z from 'zod/mini';
import { ValidationError } from '../../domain/errors';
import { normaliseLineBreaks } from '../../domain/text';
import { approvalIdParam } from '../params';
import type { ApiDeps, ApiEnv } from '../deps';
import { readJson } from '../read-json';
import { pendingDecisions } from '../../usecases/pending-approvals';
import { recordVote } from '../../usecases/record-vote';
import { approvalResponse } from '../release-view';

export const decisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.optional(z.string().check(z.maxLength(2000))),
});

/** S7 as API: what the caller may decide, and deciding it with a token instead of a link. */
export function approvalRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.get('/', async (c) => {
    const status = c.req.query('status') ?? 'pending';
    if (status !== 'pending') throw new ValidationError('only status=pending is listed; closed requests are part of each release (GET /v1/releases/{id})');
    // Judged like a vote: eligible when the request opened and still an approver in today's directory.
    const mine = await pendingDecisions(deps, c.get('identity'));
    const now = deps.clock();
    return c.json({ approvals: mine.map((r) => approvalResponse(r, now)) });
  });

  routes.post('/:id/decision', async (c) => {
    const id = approvalIdParam(c);
    const body = await readJson(c, decisionSchema);
    const comment = body.comment === undefined ? undefined : normaliseLineBreaks(body.comment).trim() || undefined;
    const { request, closedAs, evaluation } = await recordVote(deps, { ...id, voter: c.get('identity') }, body.decision, comment);
    return c.json({ ...approvalResponse(request, deps.clock()), closedAs: closedAs ?? null, summary: evaluation.summary });
  });

  return routes;
}
