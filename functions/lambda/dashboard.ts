import { handle } from 'hono/aws-lambda';
import { createDashboardApp } from '../api/dashboard/face';
import { dashboardRoutes } from '../api/dashboard/routes';
import { buildApiDeps } from '../runtime/api';

/** The dashboard face: sign-in, the pages and their assets (the same Hono app code as the API face). */
const deps = buildApiDeps(process.env);
export const handler = handle(createDashboardApp(deps, dashboardRoutes(deps)));
