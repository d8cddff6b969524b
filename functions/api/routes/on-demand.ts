/*
 * The API face's route modules that load on first use (routes/groups.ts): all but releases.
 * One module, so one chunk: every further import() boundary splits the shared code into more
 * chunk files, which a cold start then reads one by one (issue 13, measured).
 */
export { approvalLinkRoutes } from './approval-links';
export { approvalRoutes } from './approvals';
export { appRoutes } from './apps';
export { auditRoutes } from './audit';
export { configRoutes } from './config';
export { deploymentRoutes } from './deployments';
export { directoryRoutes } from './directory';
export { reviewRoutes } from './reviews';
export { tokenRoutes } from './tokens';
export { webhookRoutes } from './webhooks';
export { openApiRoutes } from '../openapi/serve';
