import { Hono, type Context } from 'hono';
import { assertLinkLive, linkKeyId, verifySignature, type LinkClaim } from '../../domain/approval-link';
import { NotFoundError } from '../../domain/errors';
import { approvalPage, configDetails, decisionPage, releaseDetails } from '../../views/approval-page';
import type { ApiDeps, ApiEnv } from '../deps';
import { decisionFrom, readForm } from '../form-body';
import { recordVote } from '../../usecases/record-vote';

/** The fields of the decision form the link's page posts (readForm refuses any other). */
export const DECISION_FORM_FIELDS = ['decision', 'comment'] as const;

/**
 * The emailed links (B1). GET renders a confirmation page and never writes, so
 * mail scanners that pre-fetch links decide nothing; the decision is a POST.
 */
export function approvalLinkRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  const claimOf = async (c: Context): Promise<LinkClaim> => {
    const token = c.req.param('token') ?? '';
    // The link names its key; a source that has not seen the rotation that made it refetches.
    return verifySignature(token, await deps.signingSecret(linkKeyId(token)));
  };

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
    // The page holds a personal link: never cached (Referrer-Policy and framing are set for every response in app.ts).
    c.header('cache-control', 'no-store');
    return c.html(approvalPage(request, claim.approver, details));
  });

  // Expiry is judged by the vote itself (against the request), so a late attempt is refused and audited.
  routes.post('/:token', async (c) => {
    const claim = await claimOf(c);
    const { decision, comment } = decisionFrom(await readForm(c, DECISION_FORM_FIELDS));
    const ballot = { releaseId: claim.releaseId, environment: claim.environment, voter: claim.approver, ...(claim.app ? { app: claim.app } : {}) };
    const { request, closedAs } = await recordVote(deps, ballot, decision, comment);
    c.header('cache-control', 'no-store');
    if (c.req.header('accept')?.includes('text/html')) return c.html(decisionPage(request, decision, closedAs));
    return c.json({ releaseId: request.releaseId, environment: request.environment, decision, status: request.status });
  });

  return routes;
}
