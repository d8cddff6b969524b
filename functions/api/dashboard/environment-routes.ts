import { Hono, type Context } from 'hono';
import { can } from '../../domain/authorization';
import { GatekeeperError, ValidationError } from '../../domain/errors';
import { checkText, normaliseLineBreaks } from '../../domain/text';
import { configOverview, diffVersions, voteOnDraft } from '../../usecases/config-views';
import { compareDeployments, deploymentHistory, environmentFor } from '../../usecases/deployment-history';
import { MAX_ROLLBACK_REASON, planRollback, rollBack, rollbackReason } from '../../usecases/rollback';
import { ComparePage } from '../../views/dashboard/environment/compare-page';
import { EnvironmentPage, environmentPath } from '../../views/dashboard/environment/environment-page';
import { RollbackPage } from '../../views/dashboard/environment/rollback-page';
import type { ApiDeps } from '../deps';
import { decisionFrom, readForm } from '../form-body';
import { appEnvParams, isReleaseId } from '../params';
import type { DashboardEnv } from './env';
import { dashboardErrors, doneOf, renderPage } from './render';
import { isRecentSignIn, requireCsrf, requireRecentSignIn, RECENT_SIGN_IN_SECONDS, signInUrl } from './session';

const HISTORY_PAGE = 20;

/** The environment page of the path's app and environment (for step-up's way back). */
const pageOf = (c: Context) => `/apps/${encodeURIComponent(c.req.param('app') ?? '')}/envs/${encodeURIComponent(c.req.param('env') ?? '')}`;

/**
 * Issue 11, page 4: an environment in the dashboard. The same use cases as
 * the JSON API (deploymentHistory, compareDeployments, planRollback/rollBack,
 * configOverview, voteOnDraft → recordVote), with the signed-in identity:
 * authorization, policy and audit are theirs. Every POST carries the
 * session's CSRF token; a config decision also needs a recent sign-in (B14).
 */
export function dashboardEnvironmentRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));

  routes.get('/apps/:app/envs/:env', async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken, authTime } = c.get('session');
    const environment = await environmentFor(deps, identity, app, env, 'release.view');
    const cursor = c.req.query('cursor') || undefined;
    const [history, config, directory] = await Promise.all([
      deploymentHistory(deps, identity, app, env, { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) }),
      configOverview(deps, identity, app, env),
      deps.directory.get(),
    ]);
    const scope = { app, environment: env };
    const started = c.req.query('started');
    return renderPage(
      c,
      EnvironmentPage({
        environment,
        history,
        paged: cursor !== undefined,
        config,
        may: { rollBack: can(directory, identity, 'release.rollback', scope), decideConfig: can(directory, identity, 'approval.decide-config', scope) },
        identity,
        csrfToken,
        recentSignIn: isRecentSignIn({ authTime }, deps.clock()),
        signInAgainUrl: signInUrl(`${environmentPath(environment)}#configuration`, { stepUp: true }),
        done: doneOf(c),
        started: started && isReleaseId(started) ? started : undefined,
      }),
    );
  });

  routes.get('/apps/:app/envs/:env/compare', async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken } = c.get('session');
    const { from: a, to: b, changes } = await compareDeployments(deps, identity, app, env, { from: c.req.query('a'), to: c.req.query('b') });
    const configDiff =
      a.configVersion !== undefined && b.configVersion !== undefined && a.configVersion !== b.configVersion
        ? await diffVersions(deps, identity, app, env, a.configVersion, b.configVersion).catch((error: unknown) => {
            // A version no longer kept: the page says there is no diff to show.
            if (error instanceof GatekeeperError && error.status === 404) return undefined;
            throw error;
          })
        : undefined;
    return renderPage(c, ComparePage({ app, env, a, b, changes, configDiff, identity, csrfToken }));
  });

  /** The confirmation: what runs, what comes back, the reason. Deployers only (as the POST); changes nothing. */
  routes.get('/apps/:app/envs/:env/rollback', async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken } = c.get('session');
    const reason = checkText(normaliseLineBreaks(c.req.query('reason') ?? ''), 'the reason', { multiline: true });
    if (reason.length > MAX_ROLLBACK_REASON) throw new ValidationError(`reason: at most ${MAX_ROLLBACK_REASON} characters`);
    const { environment, target } = await planRollback(deps, identity, app, env, c.req.query('to') || undefined);
    return renderPage(c, RollbackPage({ environment, target, reason, identity, csrfToken }));
  });

  routes.post('/apps/:app/envs/:env/rollback', requireCsrf, async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken } = c.get('session');
    const form = await readForm(c, ['csrf', 'deploymentId', 'reason']);
    const deploymentId = form.get('deploymentId') || undefined;
    try {
      rollbackReason(form.get('reason') ?? '');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // The confirmation again with the error by the reason field, when there is one to show this identity; otherwise the 400 itself.
      const plan = await planRollback(deps, identity, app, env, deploymentId).catch(() => undefined);
      if (!plan) throw error;
      return renderPage(c, RollbackPage({ ...plan, reason: '', error: error.message.replace(/^reason: /, ''), identity, csrfToken }), 400);
    }
    const { release } = await rollBack(deps, identity, { app, env, reason: form.get('reason') ?? '', ...(deploymentId ? { deploymentId } : {}) });
    return c.redirect(`/apps/${app}/envs/${env}?done=rollback-started&started=${release.id}`, 303);
  });

  /** A config approver's vote on the open draft: the same recordVote as the emailed link. */
  routes.post('/apps/:app/envs/:env/config/decision', requireCsrf, requireRecentSignIn(RECENT_SIGN_IN_SECONDS, { returnTo: pageOf }), async (c) => {
    const { app, env } = appEnvParams(c);
    const form = await readForm(c, ['csrf', 'draft', 'decision', 'comment']);
    const { decision, comment } = decisionFrom(form);
    const result = await voteOnDraft(deps, c.get('session').identity, { app, env, draftId: form.get('draft') ?? '', decision, ...(comment ? { comment } : {}) });
    return c.redirect(`/apps/${app}/envs/${env}?done=${result.closedAs ?? 'voted'}#configuration`, 303);
  });

  return routes;
}
