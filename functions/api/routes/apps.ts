import { Hono } from 'hono';
import { NotFoundError } from '../../domain/errors';
import { appDefinitionSchema, toApp } from '../app-definition';
import { readJsonValue } from '../json-body';
import { appEnvParams, appParam } from '../params';
import { readJson } from '../read-json';
import type { ApiDeps, ApiEnv } from '../deps';
import { changePolicy, registerApp } from '../../usecases/app-admin';
import { environmentFor } from '../../usecases/deployment-history';
import { authorize } from '../../usecases/permissions';

/** Apps, environments and their policies: readable by anyone with a role on the app, changed by admins (the use cases the dashboard runs too). */
export function appRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.get('/:app', async (c) => {
    const name = appParam(c);
    await authorize(deps.directory, c.get('identity'), 'app.view', { app: name, environment: '*' });
    const app = await deps.catalog.getApp(name);
    if (!app) throw new NotFoundError(`no app named "${name}"`);
    return c.json(app);
  });

  /** Registers a new app. Existing apps keep their environments; policies change through the policy endpoint. */
  routes.put('/:app', async (c) => {
    const name = appParam(c);
    const app = toApp(name, await readJson(c, appDefinitionSchema));
    return c.json(await registerApp(deps, c.get('identity'), app), 201);
  });

  routes.get('/:app/envs/:env/policy', async (c) => {
    const { app, env } = appEnvParams(c);
    const environment = await environmentFor(deps, c.get('identity'), app, env, 'app.view');
    return c.json({ app, environment: env, policy: environment.policy, policyVersion: environment.policyVersion ?? 0 });
  });

  /** Replaces the policy; pending requests of the environment are voided (see changePolicy). */
  routes.put('/:app/envs/:env/policy', async (c) => {
    const { app, env } = appEnvParams(c);
    // Read like every JSON body (media type, encoding, depth, keys, characters) before the policy rules look at it.
    return c.json(await changePolicy(deps, c.get('identity'), app, env, await readJsonValue(c)));
  });

  return routes;
}
