import type { Hono } from 'hono';
import type { ApiDeps, ApiEnv } from '../deps';
import { appWith } from '../api-face';
import { authRoutes } from './auth-routes';
import type { DashboardEnv } from './env';
import { requireCsrf, requireSession } from './session';

/*
 * The dashboard face of the Hono app: sign-in, the pages and their assets. In AWS it is its
 * own Lambda (functions/lambda/dashboard.ts), so none of this loads on the API face.
 */

/**
 * The dashboard's paths: `/`, `/approvals`, `/metrics`, `/audit`, `/admin` and
 * everything under them, and under `/releases/` and `/apps/` (Hono's `/x/*`
 * matches `/x` too, so each guard runs once). Each needs a session (and, for
 * anything but GET, HEAD and OPTIONS, the CSRF checks). Nothing else does:
 * not /v1 (tokens), /approve (signed links), /healthz, /readyz, /auth or /assets.
 */
export const DASHBOARD_PATHS = ['/', '/approvals/*', '/releases/*', '/apps/*', '/metrics/*', '/audit/*', '/admin/*'] as const;

/** The dashboard's route groups (pages, and public ones such as /assets that need no session). */
export type DashboardRoutes = ReadonlyArray<Hono<DashboardEnv> | Hono>;

/**
 * Puts the dashboard's page routes behind sign-in: `requireSession` on every
 * dashboard path (a GET without a session is sent to sign in, anything else is
 * a 401 problem) and `requireCsrf` on their state-changing requests, then
 * routes each at `/`. Their handlers get `c.get('session')` (identity,
 * authTime, csrfToken) and `c.get('identity')`.
 */
function mountDashboard(app: Hono<ApiEnv>, deps: ApiDeps, routes: DashboardRoutes): void {
  const dashboard = app as unknown as Hono<DashboardEnv>;
  for (const path of DASHBOARD_PATHS) {
    dashboard.use(path, requireSession(deps));
    dashboard.use(path, requireCsrf);
  }
  for (const route of routes) dashboard.route('/', route as Hono<DashboardEnv>);
}

export const createDashboardApp = (deps: ApiDeps, dashboardRoutes: DashboardRoutes) => appWith(deps, (app) => mountSignInAndDashboard(app, deps, dashboardRoutes));

/** Dashboard sign-in (OpenID Connect) and the pages behind it. */
export function mountSignInAndDashboard(app: Hono<ApiEnv>, deps: ApiDeps, dashboardRoutes: DashboardRoutes): void {
  app.route('/auth', authRoutes(deps));
  mountDashboard(app, deps, dashboardRoutes);
}
