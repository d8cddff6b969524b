import { Hono } from 'hono';
import { LinearRouter } from 'hono/router/linear-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { visible } from '../domain/text';
import { requireToken } from './auth';
import type { ApiDeps, ApiEnv } from './deps';
import { lazyRoutes } from './lazy-routes';
import { MAX_BODY_BYTES } from './limits';
import { respondWithProblem } from './problem';
import { healthRoutes } from './routes/health';
import { API_ROUTE_GROUPS, OPENAPI_GROUP } from './routes/groups';
import { securityHeaders } from './security-headers';

/*
 * The API face of the Hono app: OpenAPI, /v1 and the emailed links. In AWS it is its own
 * Lambda (functions/lambda/api.ts) behind API Gateway's routes (cdk/constructs/api.ts), and
 * nothing here imports the dashboard: a module in the import graph is evaluated at cold start
 * whether used or not (issue 13), so the less used route modules load on first use too
 * (routes/groups.ts). app.ts puts both faces in one app for the local stack.
 */

export { MAX_BODY_BYTES };

export const createApiApp = (deps: ApiDeps) => appWith(deps, (app) => mountApi(app, deps));

/** What every face shares: headers, 405, body limit, health, 404 and problems; `mount` adds the face's routes. */
export function appWith(deps: ApiDeps, mount: (app: Hono<ApiEnv>) => void) {
  // LinearRouter (Hono's "quick" preset) matches without first compiling all ~90 routes into one
  // matcher: a Lambda may serve a single request, and that compile cost its cold start ~20 ms of
  // ~230 ms CPU, far more than the linear scan costs a request (issue 13, measured).
  const app = new Hono<ApiEnv>({ router: new SmartRouter({ routers: [new LinearRouter(), new TrieRouter()] }) });
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
  app.route(OPENAPI_GROUP.prefix, lazyRoutes(deps, OPENAPI_GROUP));
  // Every /v1 route needs a token; the email links (/approve) carry their own signature instead.
  app.use('/v1/*', requireToken(deps));
  // Some groups' modules (handlers, schemas, use cases) load on their first request (routes/groups.ts).
  for (const group of API_ROUTE_GROUPS) app.route(group.prefix, 'mount' in group ? group.mount(deps) : lazyRoutes(deps, group));
}
