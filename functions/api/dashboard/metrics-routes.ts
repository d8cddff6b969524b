import { Hono } from 'hono';
import { WINDOWS } from '../../domain/dora';
import { ValidationError } from '../../domain/errors';
import { parseName } from '../../domain/names';
import { dailySeries, environmentMetricsAllWindows, metricsOverview, windowOf } from '../../usecases/metrics';
import { EnvironmentMetricsPage, MetricsOverviewPage } from '../../views/dashboard/metrics/metrics-page';
import type { ApiDeps } from '../deps';
import type { DashboardEnv } from './env';
import { dashboardErrors, renderPage } from './render';

/**
 * Issue 11, page 5: DORA metrics in the dashboard, from the same per-day
 * buckets and computation as `GET /v1/apps/{app}/envs/{env}/metrics`
 * (usecases/metrics), for what the signed-in identity may view.
 */
export function dashboardMetricsRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));

  routes.get('/metrics', async (c) => {
    const { identity, csrfToken } = c.get('session');
    const days = windowOf(c.req.query('days') || undefined);
    const appQuery = c.req.query('app') || undefined;
    const envQuery = c.req.query('env') || undefined;
    if ((appQuery === undefined) !== (envQuery === undefined)) throw new ValidationError('pass both app and env (or neither, for every environment)');
    if (appQuery === undefined || envQuery === undefined) {
      return renderPage(c, MetricsOverviewPage({ rows: await metricsOverview(deps, identity, days), days, identity, csrfToken }));
    }
    const app = parseName(appQuery, 'app');
    const env = parseName(envQuery, 'env');
    const all = await environmentMetricsAllWindows(deps, identity, app, env);
    const points = dailySeries(all.days.slice(-days), all.buckets);
    return renderPage(c, EnvironmentMetricsPage({ app, env, windows: WINDOWS.map((n) => all.windows[n]), points, days, identity, csrfToken }));
  });

  return routes;
}
