import { Hono } from 'hono';
import * as z from 'zod/mini';
import { DEPLOYMENT_ID, lastGoodBefore, type Deployment } from '../../domain/deployment';
import { metricsFromBuckets, windowDays, WINDOWS } from '../../domain/dora';
import { InvalidStateError, NotFoundError, ValidationError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';
import { launch, singleEnvironmentRelease } from '../../usecases/launch';
import { authorize } from '../../usecases/permissions';
import { normaliseLineBreaks } from '../../domain/text';
import { appEnvParams } from '../params';
import { readJson } from '../read-json';

const rollbackSchema = z.strictObject({
  deploymentId: z.optional(z.string().check(z.regex(DEPLOYMENT_ID, 'a deployment id from the history'))),
  reason: z.string().check(z.minLength(1, 'say why you roll back'), z.maxLength(2000)),
});

/** S9–S11: deployment history, comparing two deployments, one-click rollback, DORA metrics. */
export function deploymentRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  const environmentOf = async (identity: string, app: string, env: string, action: 'release.view' | 'release.rollback') => {
    await authorize(deps.directory, identity, action, { app, environment: env });
    const environment = await deps.catalog.getEnvironment(app, env);
    if (!environment) throw new NotFoundError(`app ${app} has no environment ${env}`);
    return environment;
  };
  const withLink = (d: Deployment) => ({ ...d, executionUrl: deps.executionUrl(d.executionArn, d.releaseId) });

  routes.get('/:app/envs/:env/deployments', async (c) => {
    const { app, env } = appEnvParams(c);
    await environmentOf(c.get('identity'), app, env, 'release.view');
    const limit = Number(c.req.query('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit must be a whole number from 1 to 100');
    const cursor = c.req.query('cursor');
    const page = await deps.deployments.history(app, env, { limit, ...(cursor ? { cursor } : {}) });
    return c.json({ deployments: page.deployments.map(withLink), ...(page.cursor ? { next: `?limit=${limit}&cursor=${page.cursor}` , cursor: page.cursor } : {}) });
  });

  routes.get('/:app/envs/:env/deployments/compare', async (c) => {
    const { app, env } = appEnvParams(c);
    await environmentOf(c.get('identity'), app, env, 'release.view');
    const [a, b] = await Promise.all(['from', 'to'].map((q) => deploymentOrFail(deps, app, env, c.req.query(q))));
    return c.json({ from: withLink(a!), to: withLink(b!), changes: compare(a!, b!) });
  });

  /**
   * Redeploys an earlier deployment's exact digest through the state machine
   * (so the console shows it), without a new approval unless the policy asks
   * for one: it was approved for this environment when it first shipped.
   * Audited as a rollback with the actor and the reason.
   */
  routes.post('/:app/envs/:env/rollback', async (c) => {
    const { app, env } = appEnvParams(c);
    const parsed = await readJson(c, rollbackSchema);
    const body = { ...parsed, reason: normaliseLineBreaks(parsed.reason).trim() };
    const identity = c.get('identity');
    const environment = await environmentOf(identity, app, env, 'release.rollback');
    const target = body.deploymentId
      ? await deploymentOrFail(deps, app, env, body.deploymentId)
      : lastGoodBefore((await deps.deployments.history(app, env, { limit: 100 })).deployments, environment.current?.image);
    if (!target) throw new InvalidStateError(`${app}/${env} has no earlier successful deployment to roll back to`);
    if (target.result !== 'succeeded') throw new InvalidStateError(`deployment ${target.id} did not succeed (${target.result}); roll back to a good one`);
    const release = singleEnvironmentRelease(deps, {
      type: 'rollback',
      app,
      environment: env,
      image: target.image,
      labels: ['rollback'],
      requestedBy: identity,
      approvedBy: target.approvers,
      comment: body.reason,
      commit: target.commit,
      rollbackOf: { deploymentId: target.id, reason: body.reason, ...(target.configVersion !== undefined ? { configVersion: target.configVersion } : {}) },
    });
    const launched = await launch(deps, release, {
      action: 'release.rollback',
      detail: { to: target.id, image: target.image, from: environment.current?.image, reason: body.reason },
    });
    return c.json({ id: launched.id, status: launched.status, type: 'rollback', target: withLink(target), executionArn: launched.stages[env]?.executionArn }, 202);
  });

  routes.get('/:app/envs/:env/metrics', async (c) => {
    const { app, env } = appEnvParams(c);
    await environmentOf(c.get('identity'), app, env, 'release.view');
    const days = Number(c.req.query('days') ?? 30);
    if (!(WINDOWS as readonly number[]).includes(days)) throw new ValidationError(`days must be one of ${WINDOWS.join(', ')}`);
    const now = deps.clock();
    const window = windowDays(days, now);
    const buckets = await deps.deployments.buckets(app, env, window[0] ?? '', window.at(-1) ?? '');
    return c.json({ ...metricsFromBuckets(app, env, days, buckets, now), bucketsTimeZone: 'UTC' });
  });

  return routes;
}

async function deploymentOrFail(deps: ApiDeps, app: string, env: string, id: string | undefined): Promise<Deployment> {
  if (!id || !DEPLOYMENT_ID.test(id)) throw new ValidationError('pass deployment ids from the history (from=…&to=…)');
  const deployment = await deps.deployments.get(app, env, id);
  if (!deployment) throw new NotFoundError(`no deployment ${id} in ${app}/${env}`);
  return deployment;
}

/** What differs between two deployments: image, configuration version (diff them with …/config/diff), people, result. */
function compare(a: Deployment, b: Deployment) {
  const fields = ['image', 'configVersion', 'configHash', 'commit', 'requestedBy', 'approvers', 'result', 'type'] as const;
  return fields
    .filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]))
    .map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));
}
