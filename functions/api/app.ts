import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { requireToken } from './auth';
import type { ApiDeps, ApiEnv } from './deps';
import { respondWithProblem } from './problem';
import { approvalLinkRoutes } from './routes/approval-links';
import { approvalRoutes } from './routes/approvals';
import { auditRoutes } from './routes/audit';
import { appRoutes } from './routes/apps';
import { configRoutes } from './routes/config';
import { deploymentRoutes } from './routes/deployments';
import { directoryRoutes } from './routes/directory';
import { releaseRoutes } from './routes/releases';
import { reviewRoutes } from './routes/reviews';
import { tokenRoutes } from './routes/tokens';

export const MAX_BODY_BYTES = 64 * 1024;

/** The one Hono app: served by hono/aws-lambda in AWS and @hono/node-server locally. */
export function createApp(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB`);
      },
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Every /v1 route needs a token; the email links (/approve) carry their own signature instead.
  app.use('/v1/*', requireToken(deps));
  app.route('/v1/releases', releaseRoutes(deps));
  app.route('/v1/approvals', approvalRoutes(deps));
  app.route('/v1/reviews', reviewRoutes(deps));
  app.route('/v1/apps', appRoutes(deps));
  app.route('/v1/apps', deploymentRoutes(deps));
  app.route('/v1/apps', configRoutes(deps));
  app.route('/v1/tokens', tokenRoutes(deps));
  app.route('/v1/audit', auditRoutes(deps));
  app.route('/v1/directory', directoryRoutes(deps));
  app.route('/approve', approvalLinkRoutes(deps));
  app.notFound((c) => respondWithProblem(c, new NotFoundError(`no route for ${c.req.method} ${c.req.path}`), deps.log));
  app.onError((error, c) => respondWithProblem(c, error, deps.log));
  return app;
}
