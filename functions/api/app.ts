import { appWith, mountApi } from './api-face';
import { mountSignInAndDashboard, type DashboardRoutes } from './dashboard/face';
import type { ApiDeps } from './deps';

export { MAX_BODY_BYTES } from './api-face';

/**
 * The one Hono app with both faces, as @hono/node-server serves it locally.
 * `dashboardRoutes` are the dashboard's pages (mountDashboard). In AWS each face is
 * its own Lambda from the same route modules: createApiApp (api-face.ts) and
 * createDashboardApp (dashboard/face.ts).
 */
export function createApp(deps: ApiDeps, dashboardRoutes: DashboardRoutes = []) {
  return appWith(deps, (app) => {
    mountApi(app, deps);
    mountSignInAndDashboard(app, deps, dashboardRoutes);
  });
}
