import { auditEvent } from '../../domain/audit';
import { Hono, type Context } from 'hono';
import * as z from 'zod/mini';
import { configHash, parseConfig, refuseSecrets } from '../../domain/config';
import { threeWay } from '../../domain/config-diff';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';
import { isProtected, proposeChange } from '../../usecases/config-changes';
import { authorize } from '../../usecases/permissions';
import { diffVersions, versionNumber } from '../../usecases/config-views';
import { normaliseLineBreaks } from '../../domain/text';
import { appEnvParams, appParam } from '../params';
import { readJson } from '../read-json';

export const baseSchema = z.strictObject({ base: z.unknown() });

export const changeSchema = z.strictObject({
  override: z.unknown(),
  comment: z.optional(z.string().check(z.maxLength(2000))),
  rolloutOnApprove: z.optional(z.boolean()),
});

/** S4: base configuration, per-environment changes (published or drafted), versions and diffs. */
export function configRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  const environmentOf = async (c: Context<ApiEnv>, action: 'app.view' | 'release.start') => {
    const { app, env } = appEnvParams(c);
    await authorize(deps.directory, c.get('identity'), action, { app, environment: env });
    const environment = await deps.catalog.getEnvironment(app, env);
    if (!environment) throw new NotFoundError(`app ${app} has no environment ${env}`);
    return environment;
  };

  routes.get('/:app/config/base', async (c) => {
    const app = appParam(c);
    await authorize(deps.directory, c.get('identity'), 'app.view', { app, environment: '*' });
    return c.json({ app, base: await deps.configs.base(app) });
  });

  /** The base every environment's override is merged onto. New versions pick it up when they are published. */
  routes.put('/:app/config/base', async (c) => {
    const app = appParam(c);
    const body = await readJson(c, baseSchema);
    const base = parseConfig(body.base);
    await authorize(deps.directory, c.get('identity'), 'app.manage', { app, environment: '*' });
    refuseSecrets(base);
    await deps.configs.putBase(app, base, auditEvent(deps, { app, actor: c.get('identity'), action: 'config.base-changed', subject: `config/base`, detail: { hash: configHash(base) } }));
    return c.json({ app, base });
  });

  routes.get('/:app/envs/:env/config', async (c) => {
    const env = await environmentOf(c, 'app.view');
    const [latest, draft] = await Promise.all([deps.configs.latest(env.app, env.name), deps.configs.draft(env.app, env.name)]);
    return c.json({ app: env.app, environment: env.name, protected: isProtected(env), published: latest ?? null, draft: draft ?? null });
  });

  routes.put('/:app/envs/:env/config', async (c) => {
    // Names, then the body, then permissions: malformed input is a 400 whoever sends it.
    appEnvParams(c);
    const { comment, ...change } = await readJson(c, changeSchema);
    const env = await environmentOf(c, 'release.start');
    const result = await proposeChange(deps, env, c.get('identity'), { ...change, ...(comment === undefined ? {} : { comment: normaliseLineBreaks(comment) }) });
    return result.published ? c.json({ published: result.published }, 201) : c.json({ draft: result.draft, approvalId: `${result.draft?.id}.${env.name}` }, 202);
  });

  routes.get('/:app/envs/:env/config/draft', async (c) => {
    const env = await environmentOf(c, 'app.view');
    const draft = await deps.configs.draft(env.app, env.name);
    if (!draft) throw new NotFoundError(`${env.app}/${env.name} has no open draft`);
    const request = await deps.approvals.get(draft.id, env.name);
    return c.json({ draft, approval: request ? { status: request.status, votes: request.votes, diff: request.configDiff } : null });
  });

  routes.delete('/:app/envs/:env/config/draft', async (c) => {
    const env = await environmentOf(c, 'release.start');
    const identity = c.get('identity');
    const draft = await deps.configs.draft(env.app, env.name);
    if (!draft) throw new NotFoundError(`${env.app}/${env.name} has no open draft`);
    if (draft.author !== identity) throw new ForbiddenError(`only ${draft.author}, who wrote the draft, can discard it`);
    const request = await deps.approvals.get(draft.id, env.name);
    if (!request) throw new NotFoundError('the draft has no approval request');
    const reason = `draft discarded by ${identity}`;
    await deps.configs.discard(draft, request, reason, auditEvent(deps, { app: env.app, actor: identity, action: 'config.discarded', subject: `config/${env.name}/draft/${draft.id}`, detail: { hash: draft.hash } }));
    return c.json({ discarded: draft.id });
  });

  /** The three-way view for rebasing a stale draft: what it started from, what it changes, what was published since. */
  routes.get('/:app/envs/:env/config/draft/rebase', async (c) => {
    const env = await environmentOf(c, 'app.view');
    const draft = await deps.configs.draft(env.app, env.name);
    if (!draft) throw new NotFoundError(`${env.app}/${env.name} has no open draft`);
    const [base, latest] = await Promise.all([deps.configs.version(env.app, env.name, draft.baseVersion), deps.configs.latest(env.app, env.name)]);
    return c.json({ baseVersion: draft.baseVersion, latestVersion: latest?.version ?? 0, ...threeWay(base?.override ?? {}, draft.override, latest?.override ?? {}) });
  });

  routes.get('/:app/envs/:env/config/versions', async (c) => {
    const env = await environmentOf(c, 'app.view');
    return c.json({ versions: await deps.configs.versions(env.app, env.name) });
  });

  routes.get('/:app/envs/:env/config/versions/:version', async (c) => {
    const env = await environmentOf(c, 'app.view');
    const n = versionNumber(c.req.param('version'));
    const version = await deps.configs.version(env.app, env.name, n);
    if (!version) throw new NotFoundError(`${env.app}/${env.name} has no configuration version ${n}`);
    return c.json(version);
  });

  routes.get('/:app/envs/:env/config/diff', async (c) => {
    const { app, env } = appEnvParams(c);
    return c.json(await diffVersions(deps, c.get('identity'), app, env, c.req.query('from'), c.req.query('to')));
  });

  return routes;
}

