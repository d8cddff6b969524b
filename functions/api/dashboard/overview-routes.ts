import { Hono } from 'hono';
import { overviewFor } from '../../usecases/overview';
import { OverviewPage } from '../../views/dashboard/overview-page';
import type { ApiDeps } from '../deps';
import type { DashboardEnv } from './env';
import { dashboardErrors, renderPage } from './render';

/** `GET /`: what runs where, what is in flight and what waits for me, in the apps the identity may view. */
export function dashboardOverviewRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));
  routes.get('/', async (c) => {
    const { identity, csrfToken } = c.get('session');
    const overview = await overviewFor(deps, identity);
    return renderPage(c, OverviewPage({ overview, identity, csrfToken, now: deps.clock() }));
  });
  return routes;
}
