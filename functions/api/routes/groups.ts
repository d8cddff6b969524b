import type { Hono } from 'hono';
import type { ApiDeps, ApiEnv } from '../deps';
import type { LazyRouteGroup } from '../lazy-routes';
import { MAX_BODY_BYTES } from '../limits';
import { releaseRoutes } from './releases';

/*
 * The API face's route groups, in the order they are mounted (Hono's routing keeps it).
 * Releases (what CI starts and then polls) are mounted as they are; every other group is
 * registered by path only and loads on its first request, all of them from one chunk
 * (on-demand.ts). Measured (issue 13): with each group its own chunk, the many small chunks
 * that code splitting then makes cost a cold start more CPU than the code they defer.
 */

export type RouteGroup = { prefix: string } & ({ mount: (deps: ApiDeps) => Hono<ApiEnv> } | LazyRouteGroup);

const onDemand = () => import('./on-demand');

/** The OpenAPI document and its page: public, so mounted before the `/v1` token check. */
export const OPENAPI_GROUP: LazyRouteGroup = {
  prefix: '/',
  routes: ['GET /openapi.json', 'GET /docs'],
  load: async () => {
    const { openApiRoutes } = await onDemand();
    return () => openApiRoutes({ maxBodyBytes: MAX_BODY_BYTES });
  },
};

/** `/v1` (token required) and the emailed links (`/approve`, signed instead). */
export const API_ROUTE_GROUPS: readonly RouteGroup[] = [
  { prefix: '/v1/releases', mount: releaseRoutes },
  { prefix: '/v1/approvals', routes: ['GET /', 'POST /:id/decision'], load: async () => (await onDemand()).approvalRoutes },
  { prefix: '/v1/reviews', routes: ['GET /', 'POST /:releaseId'], load: async () => (await onDemand()).reviewRoutes },
  { prefix: '/v1/apps', routes: ['GET /:app', 'PUT /:app', 'GET /:app/envs/:env/policy', 'PUT /:app/envs/:env/policy'], load: async () => (await onDemand()).appRoutes },
  {
    prefix: '/v1/apps',
    routes: ['GET /:app/envs/:env/deployments', 'GET /:app/envs/:env/deployments/compare', 'POST /:app/envs/:env/rollback', 'GET /:app/envs/:env/metrics'],
    load: async () => (await onDemand()).deploymentRoutes,
  },
  {
    prefix: '/v1/apps',
    routes: [
      'GET /:app/config/base',
      'PUT /:app/config/base',
      'GET /:app/envs/:env/config',
      'PUT /:app/envs/:env/config',
      'GET /:app/envs/:env/config/draft',
      'DELETE /:app/envs/:env/config/draft',
      'GET /:app/envs/:env/config/draft/rebase',
      'GET /:app/envs/:env/config/versions',
      'GET /:app/envs/:env/config/versions/:version',
      'GET /:app/envs/:env/config/diff',
    ],
    load: async () => (await onDemand()).configRoutes,
  },
  {
    prefix: '/v1/apps',
    routes: ['POST /:app/webhooks', 'GET /:app/webhooks', 'DELETE /:app/webhooks/:id', 'GET /:app/webhooks/:id/deliveries'],
    load: async () => (await onDemand()).webhookRoutes,
  },
  // `ALL /*`: the admin check, before any of the group's routes (and before their 404).
  { prefix: '/v1/tokens', routes: ['ALL /*', 'GET /', 'POST /', 'DELETE /:id'], load: async () => (await onDemand()).tokenRoutes },
  { prefix: '/v1/audit', routes: ['GET /', 'GET /security', 'GET /verify', 'GET /export'], load: async () => (await onDemand()).auditRoutes },
  {
    prefix: '/v1/directory',
    routes: ['ALL /*', 'GET /groups', 'PUT /groups/:name', 'GET /grants', 'POST /grants', 'DELETE /grants/:id'],
    load: async () => (await onDemand()).directoryRoutes,
  },
  { prefix: '/approve', routes: ['GET /:token', 'POST /:token'], load: async () => (await onDemand()).approvalLinkRoutes },
];
