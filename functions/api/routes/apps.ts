import { auditEvent } from '../../domain/audit';
import { Hono } from 'hono';
import { InvalidStateError, NotFoundError } from '../../domain/errors';
import { appDefinitionSchema, toApp } from '../app-definition';
import { readJsonValue } from '../json-body';
import { appEnvParams, appParam } from '../params';
import { readJson } from '../read-json';
import { parsePolicy } from '../../domain/policy';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorize } from '../../usecases/permissions';
import { endPendingRequest } from '../../usecases/end-request';

/** Apps, environments and their policies: readable by anyone with a role on the app, changed by admins. */
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
    const identity = c.get('identity');
    await authorize(deps.directory, identity, 'app.manage', { app: name, environment: '*' });
    const audit = auditEvent(deps, { app: name, actor: identity, action: 'app.registered' as const, subject: `app/${name}`, });
    if (!(await deps.catalogWriter.putApp(app, audit, { keepExisting: true }))) {
      throw new InvalidStateError(`app ${name} is already registered; change its policies with PUT /v1/apps/${name}/envs/{env}/policy`);
    }
    return c.json(app, 201);
  });

  routes.get('/:app/envs/:env/policy', async (c) => {
    const { app, env } = appEnvParams(c);
    await authorize(deps.directory, c.get('identity'), 'app.view', { app, environment: env });
    const environment = await deps.catalog.getEnvironment(app, env);
    if (!environment) throw new NotFoundError(`app ${app} has no environment ${env}`);
    return c.json({ app, environment: env, policy: environment.policy, policyVersion: environment.policyVersion ?? 0 });
  });

  /**
   * Replaces the policy. Requests opened under the old one are void (B5): they
   * end `cancelled` with the reason, so nothing approved under an old rule
   * deploys under a new one. A vote racing the change fails its transaction's
   * policy-version check.
   */
  routes.put('/:app/envs/:env/policy', async (c) => {
    const { app, env } = appEnvParams(c);
    // Read like every JSON body (media type, encoding, depth, keys, characters) before the policy rules look at it.
    const policy = parsePolicy(await readJsonValue(c));
    const identity = c.get('identity');
    await authorize(deps.directory, identity, 'app.manage', { app, environment: env });
    const environment = await deps.catalog.getEnvironment(app, env);
    if (!environment) throw new NotFoundError(`app ${app} has no environment ${env}`);
    const audit = (action: 'policy.changed' | 'release.cancelled', subject: string, detail: Record<string, unknown>) =>
    auditEvent(deps, {
        app,
        actor: identity,
        action,
        subject,
        detail,
      });
    const version = await deps.catalogWriter.putPolicy(app, env, policy, environment.policyVersion ?? 0, audit('policy.changed', `app/${app}/env/${env}`, { before: environment.policy, after: policy }));
    const reason = `the approval policy of ${app}/${env} changed (version ${version}) while this request was pending`;
    const voided: string[] = [];
    for (const request of await deps.approvals.listPending({ app, environment: env })) {
      const ending = { status: 'cancelled' as const, reason, audit: audit('release.cancelled', `release/${request.releaseId}`, { reason }) };
      if (await endPendingRequest(deps, request, ending)) voided.push(request.releaseId);
    }
    deps.log.info('policy changed', { app, env, version, voided, by: identity });
    return c.json({ app, environment: env, policy, policyVersion: version, voidedReleases: voided });
  });

  return routes;
}
