import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { visible } from '../domain/text';
import { requireToken } from './auth';
import { authRoutes } from './dashboard/auth-routes';
import type { DashboardEnv } from './dashboard/env';
import { requireCsrf, requireSession } from './dashboard/session';
import type { ApiDeps, ApiEnv } from './deps';
import { openApiRoutes } from './openapi/serve';
import { respondWithProblem } from './problem';
import { approvalLinkRoutes } from './routes/approval-links';
import { approvalRoutes } from './routes/approvals';
import { auditRoutes } from './routes/audit';
import { appRoutes } from './routes/apps';
import { configRoutes } from './routes/config';
import { deploymentRoutes } from './routes/deployments';
import { directoryRoutes } from './routes/directory';
import { healthRoutes } from './routes/health';
import { releaseRoutes } from './routes/releases';
import { reviewRoutes } from './routes/reviews';
import { tokenRoutes } from './routes/tokens';
import { securityHeaders } from './security-headers';

export const MAX_BODY_BYTES = 64 * 1024;

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
export function mountDashboard(app: Hono<ApiEnv>, deps: ApiDeps, routes: DashboardRoutes): void {
  const dashboard = app as unknown as Hono<DashboardEnv>;
  for (const path of DASHBOARD_PATHS) {
    dashboard.use(path, requireSession(deps));
    dashboard.use(path, requireCsrf);
  }
  for (const route of routes) dashboard.route('/', route as Hono<DashboardEnv>);
}

/**
 * The one Hono app: served by hono/aws-lambda in AWS and @hono/node-server
 * locally. `dashboardRoutes` are the dashboard's pages (mountDashboard).
 */
export function createApp(deps: ApiDeps, dashboardRoutes: DashboardRoutes = []) {
  const app = new Hono<ApiEnv>();
  // Outermost, so every answer gets them: routes, problems, 404, 405 and 413 alike.
  app.use('*', securityHeaders());
  // A known path with another method is a 405 naming the methods it has, not a 404.
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => respondWithProblem(c, new MethodNotAllowedError(`${c.req.path} answers ${methods.join(', ')}, not ${c.req.method}`, methods), deps.log),
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB`);
      },
    }),
  );
  app.route('/', healthRoutes(deps));
  // The OpenAPI document and its reference page: public, generated from the routes' own schemas (openapi/routes.ts).
  app.route('/', openApiRoutes({ maxBodyBytes: MAX_BODY_BYTES }));
  // Every /v1 route needs a token; the email links (/approve) carry their own signature instead.
  app.use('/v1/*', requireToken(deps));
  app.route('/v1/releases', releaseRoutes(deps));
  app.route('/v1/approvals', approvalRoutes(deps));
  app.route('/v1/reviews', reviewRoutes(deps));
  app.route('/v1/apps', appRoutes(deps));
  app.route('/v1/apps', deploymentRoutes(deps));
  app.route('/v1/apps', configRoutes(deps));
  app.route('/v1/tokens', tokenRoutes(deps));
  app.route('/v1/audit', auditRoutes(deps));
  app.route('/v1/directory', directoryRoutes(deps));
  app.route('/approve', approvalLinkRoutes(deps));
  // Dashboard sign-in (OpenID Connect) and the pages behind it.
  app.route('/auth', authRoutes(deps));
  mountDashboard(app, deps, dashboardRoutes);
  app.notFound((c) => respondWithProblem(c, new NotFoundError(`no route for ${c.req.method} ${visible(c.req.path.slice(0, 200))}`), deps.log));
  app.onError((error, c) => respondWithProblem(c, error, deps.log));
  return app;
}
