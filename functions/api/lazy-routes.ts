import { Hono } from 'hono';
import type { H, RouterRoute } from 'hono/types';
import type { ApiDeps, ApiEnv } from './deps';

/** A route module's factory as it was mounted eagerly: its Hono app's routes are what the group serves. */
export type RouteFactory = (deps: ApiDeps) => { routes: RouterRoute[] };

/**
 * A group of routes whose module (handlers, request schemas, use cases) loads on the group's
 * first request. `routes` are the module's registrations (`METHOD path`, as its Hono app lists
 * them, middleware as `ALL /*`), declared so that registering them imports nothing:
 * test/api/route-groups.test.ts keeps each list equal to its module's.
 */
export interface LazyRouteGroup {
  prefix: string;
  routes: readonly string[];
  load: () => Promise<RouteFactory>;
}

/**
 * The group's paths and methods registered now (so routing, 404, 405 and the middleware
 * before it behave as if the module were mounted), each delegating to the module's own
 * handler for the same registration once loaded. Mount the result with `app.route(group.prefix, …)`.
 */
export function lazyRoutes(deps: ApiDeps, group: LazyRouteGroup): Hono<ApiEnv> {
  let loading: Promise<Map<string, H>> | undefined;
  const handlers = () =>
    (loading ??= group.load().then(
      (factory) => new Map(factory(deps).routes.map((route) => [`${route.method} ${route.path}`, route.handler])),
      (error: unknown) => {
        loading = undefined; // a failed import is retried by the next request
        throw error;
      },
    ));
  const stub = new Hono<ApiEnv>();
  for (const route of group.routes) {
    const [method = '', path = ''] = route.split(' ');
    stub.on(method, path, async (c, next) => {
      const handler = (await handlers()).get(route);
      if (!handler) throw new Error(`${group.prefix} lists ${route}, which its module does not register`);
      return handler(c, next);
    });
  }
  return stub;
}
