import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { visible } from '../domain/text';
import { requireToken } from './auth';
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
import { webhookRoutes } from './routes/webhooks';
import { securityHeaders } from './security-headers';

/*
 * The API face of the Hono app: OpenAPI, /v1 and the emailed links. In AWS it is its own
 * Lambda (functions/lambda/api.ts) behind API Gateway's routes (cdk/constructs/api.ts), and
 * nothing here imports the dashboard: a module in the import graph is evaluated at cold start
 * whether used or not (issue 13). app.ts puts both faces in one app for the local stack.
 */

export const MAX_BODY_BYTES = 64 * 1024;

export const createApiApp = (deps: ApiDeps) => appWith(deps, (app) => mountApi(app, deps));

/** What every face shares: headers, 405, body limit, health, 404 and problems; `mount` adds the face's routes. */
export function appWith(deps: ApiDeps, mount: (app: Hono<ApiEnv>) => void) {
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
  mount(app);
  app.notFound((c) => respondWithProblem(c, new NotFoundError(`no route for ${c.req.method} ${visible(c.req.path.slice(0, 200))}`), deps.log));
  app.onError((error, c) => respondWithProblem(c, error, deps.log));
  return app;
}

export function mountApi(app: Hono<ApiEnv>, deps: ApiDeps): void {
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
  app.route('/v1/apps', webhookRoutes(deps));
  app.route('/v1/tokens', tokenRoutes(deps));
  app.route('/v1/audit', auditRoutes(deps));
  app.route('/v1/directory', directoryRoutes(deps));
  app.route('/approve', approvalLinkRoutes(deps));
}
