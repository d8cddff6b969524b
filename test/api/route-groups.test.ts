import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import type { ApiDeps, ApiEnv } from '../../functions/api/deps';
import { lazyRoutes, type LazyRouteGroup } from '../../functions/api/lazy-routes';
import { API_ROUTE_GROUPS, OPENAPI_GROUP } from '../../functions/api/routes/groups';
import { offlineApiDeps } from './support/offline-deps';

/**
 * The API face registers some route groups by path only and loads their modules on first
 * use (routes/groups.ts, issue 13). These keep each declared list equal to what its module
 * registers, and check the delegation itself; the other API tests run every route through
 * the app. No stack: nothing here reaches a dependency.
 */

const deps = offlineApiDeps('gatekeeper-route-groups-test');

const lazyGroups = [OPENAPI_GROUP, ...API_ROUTE_GROUPS.filter((group): group is LazyRouteGroup => 'load' in group)];

describe('the lazily loaded route groups', () => {
  it.each(lazyGroups.map((group) => [group.prefix, group] as const))('%s lists exactly what its module registers, in order', async (_prefix, group) => {
    const registered = (await group.load())(deps).routes.map((route) => `${route.method} ${route.path}`);
    expect(group.routes).toEqual(registered);
  });
});

/** A group whose module is a Hono app built here, with its loads counted. */
function fakeGroup(routes: string[], build: (app: Hono<ApiEnv>) => void): LazyRouteGroup & { loads: () => number } {
  const load = vi.fn(async () => () => {
    const app = new Hono<ApiEnv>();
    build(app);
    return app;
  });
  return { prefix: '/things', routes, load, loads: () => load.mock.calls.length };
}

function mounted(group: LazyRouteGroup) {
  const app = new Hono<ApiEnv>();
  app.route(group.prefix, lazyRoutes({} as ApiDeps, group));
  // The problem answer of the real app, reduced to its message.
  app.onError((error, c) => c.text(error.message, 500));
  return app;
}

describe('a group loaded on first use', () => {
  it('loads its module on the first request only, and answers with its handlers', async () => {
    const group = fakeGroup(['GET /:id', 'POST /:id'], (app) => {
      app.get('/:id', (c) => c.json({ got: c.req.param('id') }));
      app.post('/:id', (c) => c.json({ posted: c.req.param('id') }, 201));
    });
    const app = mounted(group);
    expect(group.loads()).toBe(0);
    expect(app.routes.map((route) => `${route.method} ${route.path}`)).toEqual(['GET /things/:id', 'POST /things/:id']);
    const [first, second] = await Promise.all([app.request('/things/a'), app.request('/things/b', { method: 'POST' })]);
    expect(await first.json()).toEqual({ got: 'a' });
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual({ posted: 'b' });
    await app.request('/things/c');
    expect(group.loads()).toBe(1);
  });

  it('runs the module\'s middleware before its routes, as when mounted eagerly', async () => {
    const group = fakeGroup(['ALL /*', 'GET /'], (app) => {
      app.use('*', async (c, next) => {
        if (c.req.header('x-admin') !== 'yes') return c.text('admins only', 403);
        await next();
      });
      app.get('/', (c) => c.text('listed'));
    });
    const app = mounted(group);
    expect((await app.request('/things')).status).toBe(403);
    expect(await (await app.request('/things', { headers: { 'x-admin': 'yes' } })).text()).toBe('listed');
  });

  it('fails a request, and tries again on the next, when the module cannot be loaded', async () => {
    const load = vi.fn<LazyRouteGroup['load']>().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue(() => new Hono<ApiEnv>().get('/', (c) => c.text('ok')));
    const app = mounted({ prefix: '/things', routes: ['GET /'], load });
    const failed = await app.request('/things');
    expect([failed.status, await failed.text()]).toEqual([500, 'chunk missing']);
    expect(await (await app.request('/things')).text()).toBe('ok');
  });

  it('refuses a declared route its module does not register', async () => {
    const app = mounted(fakeGroup(['GET /', 'GET /missing'], (module) => module.get('/', (c) => c.text('ok'))));
    expect(await (await app.request('/things/missing')).text()).toBe('/things lists GET /missing, which its module does not register');
  });
});
