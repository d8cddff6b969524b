import { Hono } from 'hono';
import { can } from '../../domain/authorization';
import { pendingApprovals } from '../../usecases/pending-approvals';
import { recordVote } from '../../usecases/record-vote';
import { ApprovalsPage } from '../../views/dashboard/approvals-page';
import type { ApiDeps } from '../deps';
import { decisionFrom, readForm } from '../form-body';
import { nameParam, releaseIdParam } from '../params';
import type { DashboardEnv } from './env';
import { dashboardErrors, doneOf, renderPage } from './render';
import { isRecentSignIn, RECENT_SIGN_IN_SECONDS, requireCsrf, requireRecentSignIn, signInUrl } from './session';

/** Where the page sends someone whose sign-in is too old to decide: sign in again, back to the approvals. */
const STEP_UP = signInUrl('/approvals', { stepUp: true });

/**
 * S7 in the dashboard: what I may decide, decided in place. The decision is
 * the same vote as the emailed link's and `POST /v1/approvals/{id}/decision`
 * (recordVote with the signed-in identity: self-approval, eligibility,
 * expiry, quorum and the audit trail are all its business), after a CSRF
 * check and a recent sign-in (step-up).
 */
export function dashboardApprovalsRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));

  routes.get('/approvals', async (c) => {
    const session = c.get('session');
    const identity = session.identity;
    const now = deps.clock();
    const [pending, directory] = await Promise.all([pendingApprovals(deps, identity), deps.directory.get()]);
    // Only the requester may cancel (cancelRelease says so again on POST); an author sees why they cannot decide.
    const own = pending.own.map((request) => ({
      request,
      mayCancel: request.requestedBy === identity && can(directory, identity, 'release.cancel-own', { app: request.app, environment: request.environment }),
    }));
    const done = doneOf(c);
    return renderPage(
      c,
      ApprovalsPage({ mine: pending.mine, own, others: pending.others, ...(isRecentSignIn(session, now) ? {} : { stepUpUrl: STEP_UP }), identity, csrfToken: session.csrfToken, now, ...(done ? { done } : {}) }),
    );
  });

  routes.post('/approvals/:releaseId/:environment/decision', requireCsrf, requireRecentSignIn(RECENT_SIGN_IN_SECONDS, { returnTo: () => '/approvals' }), async (c) => {
    const releaseId = releaseIdParam(c, 'releaseId');
    const environment = nameParam(c, 'environment', 'the environment in the path');
    const { decision, comment } = decisionFrom(await readForm(c, ['decision', 'comment', 'csrf']));
    const { closedAs } = await recordVote(deps, { releaseId, environment, voter: c.get('session').identity }, decision, comment);
    return c.redirect(`/approvals?done=${closedAs ?? 'voted'}`, 303);
  });

  return routes;
}
