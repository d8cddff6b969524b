import { handle } from 'hono/aws-lambda';
import { createApp } from '../api/app';
import { dashboardRoutes } from '../api/dashboard/routes';
import { buildApiDeps } from '../runtime/api';

const deps = buildApiDeps(process.env);
export const handler = handle(createApp(deps, dashboardRoutes(deps)));
