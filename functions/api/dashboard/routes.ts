import type { ApiDeps } from '../deps';
import { dashboardAdminRoutes } from './admin-routes';
import { dashboardApprovalsRoutes } from './approvals-routes';
import { assetsRoutes } from './assets-routes';
import { dashboardAuditRoutes } from './audit-routes';
import { dashboardEnvironmentRoutes } from './environment-routes';
import { dashboardMetricsRoutes } from './metrics-routes';
import { dashboardOverviewRoutes } from './overview-routes';
import { dashboardReleaseRoutes } from './release-routes';

/** Every page of the dashboard (createApp puts sign-in in front of them) and its same-origin assets. */
export const dashboardRoutes = (deps: ApiDeps) => [
  assetsRoutes(deps),
  dashboardOverviewRoutes(deps),
  dashboardApprovalsRoutes(deps),
  dashboardReleaseRoutes(deps),
  dashboardEnvironmentRoutes(deps),
  dashboardMetricsRoutes(deps),
  dashboardAuditRoutes(deps),
  dashboardAdminRoutes(deps),
];
