import { Hono } from 'hono';
import * as z from 'zod/mini';
import { DEPLOYMENT_ID, type Deployment } from '../../domain/deployment';
import type { ApiDeps, ApiEnv } from '../deps';
import { compareDeployments, deploymentHistory } from '../../usecases/deployment-history';
import { environmentMetrics, windowOf } from '../../usecases/metrics';
import { rollBack } from '../../usecases/rollback';
import { appEnvParams } from '../params';
import { readJson } from '../read-json';

export const rollbackSchema = z.strictObject({
  deploymentId: z.optional(z.string().check(z.regex(DEPLOYMENT_ID, 'a deployment id from the history'))),
  reason: z.string().check(z.minLength(1, 'say why you roll back'), z.maxLength(2000)),
});

/** S9–S11: deployment history, comparing two deployments, one-click rollback, DORA metrics (the use cases the dashboard runs too). */
export function deploymentRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  const withLink = (d: Deployment) => ({ ...d, executionUrl: deps.executionUrl(d.executionArn, d.releaseId) });

  routes.get('/:app/envs/:env/deployments', async (c) => {
    const { app, env } = appEnvParams(c);
    const limit = Number(c.req.query('limit') ?? 20);
    const cursor = c.req.query('cursor');
    const page = await deploymentHistory(deps, c.get('identity'), app, env, { limit, ...(cursor ? { cursor } : {}) });
    return c.json({ deployments: page.deployments.map(withLink), ...(page.cursor ? { next: `?limit=${limit}&cursor=${page.cursor}`, cursor: page.cursor } : {}) });
  });

  routes.get('/:app/envs/:env/deployments/compare', async (c) => {
    const { app, env } = appEnvParams(c);
    const { from, to, changes } = await compareDeployments(deps, c.get('identity'), app, env, { from: c.req.query('from'), to: c.req.query('to') });
    return c.json({ from: withLink(from), to: withLink(to), changes });
  });

  /**
   * Redeploys an earlier deployment's exact digest through the state machine
   * (so the console shows it), without a new approval unless the policy asks
   * for one: it was approved for this environment when it first shipped.
   * Audited as a rollback with the actor and the reason.
   */
  routes.post('/:app/envs/:env/rollback', async (c) => {
    const { app, env } = appEnvParams(c);
    const body = await readJson(c, rollbackSchema);
    const { release, target } = await rollBack(deps, c.get('identity'), { app, env, reason: body.reason, ...(body.deploymentId ? { deploymentId: body.deploymentId } : {}) });
    return c.json({ id: release.id, status: release.status, type: 'rollback', target: withLink(target), executionArn: release.stages[env]?.executionArn }, 202);
  });

  routes.get('/:app/envs/:env/metrics', async (c) => {
    const { app, env } = appEnvParams(c);
    const { metrics } = await environmentMetrics(deps, c.get('identity'), app, env, windowOf(c.req.query('days')));
    return c.json({ ...metrics, bucketsTimeZone: 'UTC' });
  });

  return routes;
}
