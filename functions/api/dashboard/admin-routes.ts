import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { can } from '../../domain/authorization';
import { ForbiddenError, InvalidStateError, ValidationError } from '../../domain/errors';
import { isName } from '../../domain/names';
import { changePolicy, registerApp } from '../../usecases/app-admin';
import { environmentFor } from '../../usecases/deployment-history';
import { addGrant, revokeGrant, setGroupMembers } from '../../usecases/directory-admin';
import { createToken, listTokens, revokeToken } from '../../usecases/tokens';
import { AdminPage, type AdminPageProps } from '../../views/dashboard/admin/admin-page';
import { policyFormValues, policyInputFrom, POLICY_FORM_FIELDS, refusedPolicyForm } from '../../views/dashboard/admin/policy-form';
import { PolicyPage } from '../../views/dashboard/admin/policy-page';
import { TokenCreatedPage } from '../../views/dashboard/admin/token-created-page';
import type { ApiDeps } from '../deps';
import { readForm } from '../form-body';
import { parseJsonText } from '../json-body';
import { appEnvParams, grantIdParam, tokenIdParam } from '../params';
import { checkAppForm, checkGrantForm, checkGroupForm, checkTokenForm } from './admin-forms';
import type { DashboardEnv } from './env';
import { dashboardErrors, doneOf, renderPage } from './render';
import { isRecentSignIn, requireCsrf, requireRecentSignIn, RECENT_SIGN_IN_SECONDS, signInUrl } from './session';

const EVERYWHERE = { app: '*', environment: '*' };
const formValues = (form: Map<string, string>): Record<string, string> => Object.fromEntries(form);

/**
 * Issue 11, page 7: Admin in the dashboard. Apps, policies, groups, grants
 * and tokens change through the same use cases as the JSON API
 * (registerApp, changePolicy, setGroupMembers, addGrant/revokeGrant,
 * createToken/revokeToken), which authorize and audit with the signed-in
 * identity. Every POST carries the CSRF token and needs a sign-in from the
 * last 15 minutes; a refused form is shown again with each error by its field.
 */
export function dashboardAdminRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));
  const changes = [requireCsrf, requireRecentSignIn(RECENT_SIGN_IN_SECONDS, { returnTo: () => '/admin' })] as const;

  /** The page, as this identity may see it (403 for someone who may manage nothing), with any refused form. */
  const adminPage = async (c: Context<DashboardEnv>, forms: AdminPageProps['forms'] = {}, status: ContentfulStatusCode = 200) => {
    const { identity, csrfToken, authTime } = c.get('session');
    const [apps, directory] = await Promise.all([deps.catalog.listApps(), deps.directory.get()]);
    const managed = apps.filter((app) => can(directory, identity, 'app.manage', { app: app.name, environment: '*' }));
    const isAdmin = can(directory, identity, 'directory.manage', EVERYWHERE);
    const mayRegister = can(directory, identity, 'app.manage', EVERYWHERE);
    if (!isAdmin && !mayRegister && managed.length === 0) throw new ForbiddenError(`${identity} may not manage apps, policies, groups, grants or tokens; ask an admin for a grant`);
    const group = c.req.query('group');
    const prefill = !forms.group && group && isName(group) && Object.hasOwn(directory.groups, group) ? { values: { group, members: (directory.groups[group] ?? []).join('\n') }, errors: {} } : undefined;
    const props: AdminPageProps = {
      apps: managed,
      mayRegister,
      directory: isAdmin ? directory : undefined,
      tokens: isAdmin ? await listTokens(deps, identity) : undefined,
      forms: { ...forms, ...(prefill ? { group: prefill } : {}) },
      recentSignIn: isRecentSignIn({ authTime }, deps.clock()),
      signInAgainUrl: signInUrl('/admin', { stepUp: true }),
      identity,
      csrfToken,
      now: deps.clock(),
      done: doneOf(c),
    };
    return renderPage(c, AdminPage(props), status);
  };

  routes.get('/admin', (c) => adminPage(c));

  routes.post('/admin/apps', ...changes, async (c) => {
    const checked = checkAppForm(formValues(await readForm(c, ['csrf', 'app-name', 'definition'])));
    if (!checked.ok) return adminPage(c, { app: checked.form }, 400);
    try {
      await registerApp(deps, c.get('session').identity, checked.value);
    } catch (error) {
      if (!(error instanceof InvalidStateError)) throw error;
      const values = { 'app-name': checked.value.name, definition: '' };
      return adminPage(c, { app: { values, errors: { 'app-name': error.message } } }, 409);
    }
    return c.redirect('/admin?done=app-registered#apps', 303);
  });

  routes.post('/admin/groups', ...changes, async (c) => {
    const checked = checkGroupForm(formValues(await readForm(c, ['csrf', 'group', 'members'])));
    if (!checked.ok) return adminPage(c, { group: checked.form }, 400);
    await setGroupMembers(deps, c.get('session').identity, checked.value.group, checked.value.members);
    return c.redirect('/admin?done=group-saved#groups', 303);
  });

  routes.post('/admin/grants', ...changes, async (c) => {
    const checked = checkGrantForm(formValues(await readForm(c, ['csrf', 'subject-kind', 'subject', 'role', 'grant-app', 'grant-environment'])));
    if (!checked.ok) return adminPage(c, { grant: checked.form }, 400);
    await addGrant(deps, c.get('session').identity, checked.value);
    return c.redirect('/admin?done=grant-added#grants', 303);
  });

  routes.post('/admin/grants/:id/revoke', ...changes, async (c) => {
    const id = grantIdParam(c);
    await readForm(c, ['csrf']);
    await revokeGrant(deps, c.get('session').identity, id);
    return c.redirect('/admin?done=grant-removed#grants', 303);
  });

  /** The secret is on this answer only (no redirect: it must never be in a URL); `no-store`. */
  routes.post('/admin/tokens', ...changes, async (c) => {
    const checked = checkTokenForm(formValues(await readForm(c, ['csrf', 'identity', 'description', 'expiresInDays'])));
    if (!checked.ok) return adminPage(c, { token: checked.form }, 400);
    const { identity, csrfToken } = c.get('session');
    const { token, secret } = await createToken(deps, identity, checked.value);
    return renderPage(c, TokenCreatedPage({ token, secret, identity, csrfToken }), 201);
  });

  routes.post('/admin/tokens/:id/revoke', ...changes, async (c) => {
    const id = tokenIdParam(c);
    await readForm(c, ['csrf']);
    await revokeToken(deps, c.get('session').identity, id);
    return c.redirect('/admin?done=token-revoked#tokens', 303);
  });

  routes.get('/admin/apps/:app/envs/:env/policy', async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken } = c.get('session');
    const environment = await environmentFor(deps, identity, app, env, 'app.manage');
    const voided = Number(c.req.query('voided'));
    const form = { values: policyFormValues(environment.policy), errors: {} };
    return renderPage(c, PolicyPage({ environment, form, identity, csrfToken, done: doneOf(c), voided: Number.isSafeInteger(voided) && voided > 0 ? voided : undefined }));
  });

  routes.post('/admin/apps/:app/envs/:env/policy', ...changes, async (c) => {
    const { app, env } = appEnvParams(c);
    const { identity, csrfToken } = c.get('session');
    const values = formValues(await readForm(c, POLICY_FORM_FIELDS));
    let ruleRows: number[] = [];
    try {
      const from = policyInputFrom(values, parseJsonText);
      ruleRows = from.ruleRows;
      const changed = await changePolicy(deps, identity, app, env, from.input);
      return c.redirect(`/admin/apps/${app}/envs/${env}/policy?done=saved&voided=${changed.voidedReleases.length}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Shown again only to whoever may manage the environment (403 otherwise), each error by its field.
      const environment = await environmentFor(deps, identity, app, env, 'app.manage');
      return renderPage(c, PolicyPage({ environment, form: refusedPolicyForm(values, error, ruleRows), identity, csrfToken }), 400);
    }
  });

  return routes;
}
