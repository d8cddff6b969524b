import { Hono, type Context } from 'hono';
import { assertLinkLive, verifySignature, type LinkClaim } from '../../domain/approval-link';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { approvalPage, configDetails, decisionPage, releaseDetails } from '../../views/approval-page';
import type { ApiDeps, ApiEnv } from '../deps';
import { recordVote } from '../../usecases/record-vote';

/**
 * The emailed links (B1). GET renders a confirmation page and never writes, so
 * mail scanners that pre-fetch links decide nothing; the decision is a POST.
 */
export function approvalLinkRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  const claimOf = async (c: Context): Promise<LinkClaim> => verifySignature(c.req.param('token') ?? '', await deps.signingSecret());

  routes.get('/:token', async (c) => {
    const claim = await claimOf(c);
    assertLinkLive(claim, deps.clock());
    const request = await deps.approvals.get(claim.releaseId, claim.environment);
    if (!request) throw new NotFoundError(`there is no approval request ${claim.releaseId}.${claim.environment}`);
    let details: string;
    if (request.gate === 'config') details = configDetails(request);
    else {
      const [release, env] = await Promise.all([deps.releases.get(claim.releaseId), deps.catalog.getEnvironment(request.app, request.environment)]);
      if (!release) throw new NotFoundError(`release ${claim.releaseId} does not exist`);
      // Drift the reconciler found since the email was sent is shown too.
      details = releaseDetails(request, release, env?.drift ?? request.drift);
    }
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.html(approvalPage(request, claim.approver, details));
  });

  // Expiry is judged by the vote itself (against the request), so a late attempt is refused and audited.
  routes.post('/:token', async (c) => {
    const claim = await claimOf(c);
    const form = await c.req.parseBody();
    const decision = form['decision'];
    if (decision !== 'approve' && decision !== 'reject') {
      throw new ValidationError('the form field "decision" must be "approve" or "reject"');
    }
    const comment = typeof form['comment'] === 'string' ? form['comment'].trim().slice(0, 2000) : '';
    const ballot = { releaseId: claim.releaseId, environment: claim.environment, voter: claim.approver, ...(claim.app ? { app: claim.app } : {}) };
    const { request, closedAs } = await recordVote(deps, ballot, decision, comment || undefined);
    c.header('cache-control', 'no-store');
    if (c.req.header('accept')?.includes('text/html')) return c.html(decisionPage(request, decision, closedAs));
    return c.json({ releaseId: request.releaseId, environment: request.environment, decision, status: request.status });
  });

  return routes;
}
