import { Hono, type Context } from 'hono';
import { can } from '../../domain/authorization';
import { NotFoundError } from '../../domain/errors';
import type { ReleaseView } from '../../domain/ports';
import { cancelRelease } from '../../usecases/cancel-release';
import { authorize } from '../../usecases/permissions';
import { ReleaseLive } from '../../views/dashboard/release-live';
import { releaseModel } from '../../views/dashboard/release-model';
import { ReleasePage } from '../../views/dashboard/release-page';
import type { ApiDeps } from '../deps';
import { readForm } from '../form-body';
import { releaseIdParam } from '../params';
import type { DashboardEnv } from './env';
import { dashboardErrors, doneOf, renderPage } from './render';
import { requireCsrf } from './session';

/**
 * A release in the dashboard: its page (`release.view`, as `GET
 * /v1/releases/{id}`), the live fragment its script polls, and cancel (the
 * same cancelRelease as `POST /v1/releases/{id}/cancel`).
 */
export function dashboardReleaseRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));

  const load = async (c: Context<DashboardEnv>) => {
    const id = releaseIdParam(c);
    const view = await deps.releases.view(id);
    if (!view) throw new NotFoundError(`release ${id} does not exist`);
    const directory = await authorize(deps.directory, c.get('session').identity, 'release.view', { app: view.release.app, environment: '*' });
    return { view, directory, model: releaseModel(view, deps.executionUrl) };
  };

  routes.get('/releases/:id', async (c) => {
    const { identity, csrfToken } = c.get('session');
    const { view, directory, model } = await load(c);
    const done = doneOf(c);
    return renderPage(c, ReleasePage({ model, identity, csrfToken, mayCancel: mayCancel(view, directory, identity), ...(done ? { done } : {}) }));
  });

  routes.get('/releases/:id/live', async (c) => {
    const { model } = await load(c);
    c.header('cache-control', 'no-store');
    // The script swaps in only what carries this header (not a sign-in page after the session ended).
    c.header('x-gatekeeper-fragment', 'release-live');
    return c.html(ReleaseLive({ model }));
  });

  routes.post('/releases/:id/cancel', requireCsrf, async (c) => {
    const id = releaseIdParam(c);
    const form = await readForm(c, ['csrf', 'from']);
    await cancelRelease(deps, id, c.get('session').identity);
    return c.redirect(form.get('from') === 'approvals' ? '/approvals?done=cancelled' : `/releases/${id}?done=cancelled`, 303);
  });

  return routes;
}

/** The button is shown to whom cancelRelease would allow it: the requester, while something waits, with the grant. */
function mayCancel({ release, approvals }: ReleaseView, directory: Parameters<typeof can>[0], identity: string): boolean {
  const pending = approvals.filter((a) => a.status === 'pending' && a.gate === 'image');
  return (
    release.requestedBy === identity &&
    release.status === 'waiting_for_approval' &&
    pending.length > 0 &&
    pending.every((a) => can(directory, identity, 'release.cancel-own', { app: release.app, environment: a.environment }))
  );
}
