import type { Hono } from 'hono';
import { dashboardAdminRoutes } from '../../../functions/api/dashboard/admin-routes';
import { dashboardAuditRoutes } from '../../../functions/api/dashboard/audit-routes';
import type { DashboardEnv } from '../../../functions/api/dashboard/env';
import { dashboardEnvironmentRoutes } from '../../../functions/api/dashboard/environment-routes';
import { dashboardMetricsRoutes } from '../../../functions/api/dashboard/metrics-routes';
import type { ApiDeps } from '../../../functions/api/deps';

/**
 * The dashboard's environment, metrics, audit and admin pages (issue 11,
 * pages 4–7) as hostile-input cases: sample path parameters (which are
 * names), who may use the route (so a refusal is about the input, not the
 * identity), and for POSTs a valid form plus the field that takes free text.
 */
export interface ManagementPageCase {
  method: 'GET' | 'POST';
  path: string;
  params?: Record<string, string>;
  names?: string[];
  identity: string;
  form?: { valid: Record<string, string>; text: string };
}

const APP_ENV = { app: 'hello-web', env: 'prod' };
const ADMIN = 'admin@example.com';

export const MANAGEMENT_PAGE_ROUTES: ManagementPageCase[] = [
  { method: 'GET', path: '/apps/:app/envs/:env', params: APP_ENV, names: ['app', 'env'], identity: ADMIN },
  { method: 'GET', path: '/apps/:app/envs/:env/compare', params: APP_ENV, names: ['app', 'env'], identity: ADMIN },
  { method: 'GET', path: '/apps/:app/envs/:env/rollback', params: APP_ENV, names: ['app', 'env'], identity: 'carol@example.com' },
  { method: 'POST', path: '/apps/:app/envs/:env/rollback', params: APP_ENV, names: ['app', 'env'], identity: 'carol@example.com', form: { valid: { reason: 'bad deploy' }, text: 'reason' } },
  { method: 'POST', path: '/apps/:app/envs/:env/config/decision', params: APP_ENV, names: ['app', 'env'], identity: 'dave@example.com', form: { valid: { draft: 'none', decision: 'reject' }, text: 'comment' } },
  { method: 'GET', path: '/metrics', identity: ADMIN },
  { method: 'GET', path: '/audit', identity: ADMIN },
  { method: 'GET', path: '/audit/verify', identity: ADMIN },
  { method: 'GET', path: '/audit/export', identity: ADMIN },
  { method: 'GET', path: '/admin', identity: ADMIN },
  { method: 'POST', path: '/admin/apps', identity: ADMIN, form: { valid: { 'app-name': 'hostile-app', definition: '{"environments":[]}' }, text: 'app-name' } },
  { method: 'POST', path: '/admin/groups', identity: ADMIN, form: { valid: { group: 'hostile', members: 'x@example.com' }, text: 'members' } },
  {
    method: 'POST',
    path: '/admin/grants',
    identity: ADMIN,
    form: { valid: { 'subject-kind': 'group', subject: 'hostile', role: 'viewer', 'grant-app': 'hello-web', 'grant-environment': '*' }, text: 'subject' },
  },
  { method: 'POST', path: '/admin/grants/:id/revoke', params: { id: 'grant_00000000' }, identity: ADMIN },
  { method: 'POST', path: '/admin/tokens', identity: ADMIN, form: { valid: { identity: 'ci:hostile' }, text: 'description' } },
  { method: 'POST', path: '/admin/tokens/:id/revoke', params: { id: 'tok_000000000000' }, identity: ADMIN },
  { method: 'GET', path: '/admin/apps/:app/envs/:env/policy', params: APP_ENV, names: ['app', 'env'], identity: ADMIN },
  { method: 'POST', path: '/admin/apps/:app/envs/:env/policy', params: APP_ENV, names: ['app', 'env'], identity: ADMIN, form: { valid: { required: '1' }, text: 'required' } },
];

/** The route factories under test. */
export const managementPages = (deps: ApiDeps): Array<Hono<DashboardEnv>> => [dashboardEnvironmentRoutes(deps), dashboardMetricsRoutes(deps), dashboardAuditRoutes(deps), dashboardAdminRoutes(deps)];

/** `METHOD /path` of every route the factories serve. */
export const managementPageRoutes = (deps: ApiDeps): string[] =>
  [...new Set(managementPages(deps).flatMap((routes) => routes.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)))].sort();

export const managementPath = (route: ManagementPageCase, override: Record<string, string> = {}) => {
  const values: Record<string, string> = { ...route.params, ...override };
  return route.path.replace(/:(\w+)/g, (_all, name: string) => values[name] ?? '');
};
