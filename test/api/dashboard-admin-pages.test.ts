import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAdminRoutes } from '../../functions/api/dashboard/admin-routes';
import type { ApiDeps } from '../../functions/api/deps';
import { hashToken } from '../../functions/domain/token';
import { buildApiDeps } from '../../functions/runtime/api';
import { api } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { dashboardTestApp } from './support/dashboard-session';
import { expectAccessiblePage, postForms } from './support/page-checks';

/** Page 7 (Admin) against the real local stack: every change through the same use cases as the JSON API, audited under the signed-in identity. */

let stack: TestStack;
let deps: ApiDeps;
let ui: ReturnType<typeof dashboardTestApp>;
const ADMIN = 'admin@example.com';
const POLICY = '/admin/apps/hello-web/envs/prod/policy';

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  deps = buildApiDeps(stack.env);
  ui = dashboardTestApp(deps, [dashboardAdminRoutes(deps)]);
});
afterAll(() => stack?.close());

const directoryEvents = async () => (await deps.auditTrail.all('*')).filter((e) => e.actor === ADMIN).map((e) => e.action);

describe('the admin page', () => {
  it('renders apps with their policies in words, groups, grants and tokens for an admin', async () => {
    const { status, html } = await ui.get('/admin', ADMIN);
    expect(status).toBe(200);
    expectAccessiblePage(html, 'admin');
    expect(html).toContain(`href="${POLICY}"`);
    expect(html).toContain('1 approval');
    expect(html).toContain('release-managers');
    expect(html).toContain('grant-dave');
    expect(html).toContain('ci:hello-web-pipeline');
    expect(postForms(html)).toEqual(expect.arrayContaining(['/admin/apps', '/admin/groups', '/admin/grants', '/admin/tokens', '/admin/grants/grant-dave/revoke']));
  });

  it('is refused to a viewer (page and forged POSTs: 403, nothing written)', async () => {
    expect((await ui.get('/admin', 'erin@example.com')).status).toBe(403);
    const before = (await deps.directory.get()).version;
    for (const [path, fields] of [
      ['/admin/groups', { group: 'release-managers', members: 'erin@example.com' }],
      ['/admin/grants', { 'subject-kind': 'user', subject: 'erin@example.com', role: 'admin', 'grant-app': '*', 'grant-environment': '*' }],
      ['/admin/tokens', { identity: 'erin@example.com' }],
      ['/admin/grants/grant-dave/revoke', {}],
      [POLICY, { required: '0' }],
    ] as const) {
      const forged = await ui.post(path, 'erin@example.com', fields);
      expect(forged.status, path).toBe(403);
    }
    expect((await deps.directory.get()).version).toBe(before);
    expect((await deps.catalog.getEnvironment('hello-web', 'prod'))?.policy.required).toBe(1);
  });

  it('policy edit: required -1 is refused with the error by its field; a valid edit saves and is audited', async () => {
    const form = await ui.get(POLICY, ADMIN);
    expect(form.status).toBe(200);
    expectAccessiblePage(form.html, 'policy form');
    expect(form.html).toMatch(/id="f-required"[^>]*value="1"/);
    const refused = await ui.post(POLICY, ADMIN, { required: '-1', timeoutSeconds: '3600', onDrift: 'proceed' });
    expect(refused.status).toBe(400);
    expectAccessiblePage(refused.html, 'refused policy');
    expect(refused.html).toMatch(/id="f-required"[^>]*aria-describedby="f-required-error"[^>]*aria-invalid="true"/);
    expect(refused.html).toMatch(/<p id="f-required-error" class="field-error"><strong>Error: <\/strong>required must be a whole number from 0 to 20, got -1<\/p>/);
    // A rule row's error lands on that row's field, even after a blank row.
    const badRule = await ui.post(POLICY, ADMIN, { required: '1', 'rules[1].group': 'release-managers', 'rules[1].min': '0', onDrift: 'proceed' });
    expect(badRule.status).toBe(400);
    expect(badRule.html).toMatch(/id="f-rules-1--min-error"[^>]*>[\s\S]*rules\[0\]\.min must be a whole number from 1 to 20/);
    const badJson = await ui.post(POLICY, ADMIN, { required: '1', freeze: '{nope', onDrift: 'proceed' });
    expect(badJson.html).toMatch(/id="f-freeze-error"[^>]*>[\s\S]*freeze is not valid JSON/);
    expect((await deps.catalog.getEnvironment('hello-web', 'prod'))?.policyVersion ?? 0).toBe(0);

    const saved = await ui.post(POLICY, ADMIN, {
      required: '1',
      'rules[0].group': 'release-managers',
      'rules[0].min': '1',
      timeoutSeconds: '7200',
      supersede: 'on',
      onDrift: 'proceed',
      freeze: JSON.stringify({ onFreeze: 'wait', windows: [{ kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri'], start: '16:00', end: '00:00' }] }),
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${POLICY}?done=saved&voided=0`);
    const env = await deps.catalog.getEnvironment('hello-web', 'prod');
    expect(env?.policy).toMatchObject({ required: 1, rules: [{ group: 'release-managers', min: 1 }], timeoutSeconds: 7200, supersede: true, rollbackRequiresApproval: false });
    const page = await ui.get(saved.location ?? '', ADMIN);
    expect(page.html).toContain('Saved.');
    expect(page.html).toContain('1 approval, at least 1 from release-managers; frozen Fridays 16:00–24:00 Europe/Berlin');
    const audit = await deps.auditTrail.page('hello-web', { limit: 1000, actor: ADMIN });
    expect(audit.events.map((e) => e.action)).toContain('policy.changed');
  });

  it('a stale sign-in cannot change anything (step-up)', async () => {
    const page = await ui.get('/admin', ADMIN, { age: 3600 });
    expect(page.html).toContain('Sign in again');
    const refused = await ui.post('/admin/tokens', ADMIN, { identity: 'frank@example.com' }, { age: 3600 });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('step-up-required');
  });

  it('creates a personal token shown once, lists it without the secret, and revokes it', async () => {
    const created = await ui.post('/admin/tokens', ADMIN, { identity: 'Frank@Example.com', description: 'laptop', expiresInDays: '30' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expectAccessiblePage(created.html, 'token created');
    const secret = /value="(gk_[A-Za-z0-9_-]{43})"/.exec(created.html)?.[1] ?? '';
    expect(secret).not.toBe('');
    expect(created.html).toContain('it is shown only on this page');
    const stored = await deps.tokens.find(hashToken(secret));
    expect(stored).toMatchObject({ identity: 'frank@example.com', type: 'personal', description: 'laptop', createdBy: ADMIN });
    expect(await api(stack, secret).call('GET', '/v1/apps/hello-web')).toMatchObject({ status: 403 });

    const listed = await ui.get('/admin', ADMIN);
    expect(listed.html).toContain(stored?.id ?? '?');
    expect(listed.html).not.toContain(secret);
    const revoked = await ui.post(`/admin/tokens/${stored?.id}/revoke`, ADMIN, {});
    expect(revoked.status).toBe(303);
    expect((await ui.get(revoked.location ?? '', ADMIN)).html).toContain('Token revoked');
    expect((await deps.tokens.find(hashToken(secret)))?.revokedAt).toBeDefined();
    expect(await api(stack, secret).call('GET', '/v1/apps/hello-web')).toMatchObject({ status: 401 });
    expect(await directoryEvents()).toEqual(expect.arrayContaining(['token.created', 'token.revoked']));
  });

  it('token form errors are shown by their fields', async () => {
    const refused = await ui.post('/admin/tokens', ADMIN, { identity: 'not an email', expiresInDays: '400' });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/id="f-identity-error"/);
    expect(refused.html).toMatch(/id="f-expiresInDays-error"/);
  });

  it('sets a group, adds and removes a grant, audited under the admin', async () => {
    const group = await ui.post('/admin/groups', ADMIN, { group: 'security', members: 'Sam@Example.com\nci:scanner' });
    expect(group.status).toBe(303);
    expect((await deps.directory.get()).groups.security).toEqual(['ci:scanner', 'sam@example.com']);
    const badGroup = await ui.post('/admin/groups', ADMIN, { group: 'Bad Name', members: 'x' });
    expect(badGroup.status).toBe(400);
    expect(badGroup.html).toMatch(/id="f-group-error"/);
    expect(badGroup.html).toMatch(/id="f-members-error"[^>]*>[\s\S]*line 1/);

    const added = await ui.post('/admin/grants', ADMIN, { 'subject-kind': 'group', subject: 'security', role: 'image-approver', 'grant-app': 'hello-web', 'grant-environment': 'prod' });
    expect(added.status).toBe(303);
    const grant = (await deps.directory.get()).grants.find((g) => 'group' in g.subject && g.subject.group === 'security');
    expect(grant).toMatchObject({ role: 'image-approver', app: 'hello-web', environment: 'prod' });
    const badGrant = await ui.post('/admin/grants', ADMIN, { 'subject-kind': 'user', subject: 'nobody', role: 'root', 'grant-app': 'Bad', 'grant-environment': '*' });
    expect(badGrant.status).toBe(400);
    for (const field of ['subject', 'role', 'grant-app']) expect(badGrant.html).toContain(`id="f-${field}-error"`);

    const removed = await ui.post(`/admin/grants/${grant?.id}/revoke`, ADMIN, {});
    expect(removed.status).toBe(303);
    expect((await deps.directory.get()).grants.some((g) => g.id === grant?.id)).toBe(false);
    expect(await directoryEvents()).toEqual(expect.arrayContaining(['directory.changed']));
  });

  it('registers an app from JSON, with field-level errors first', async () => {
    const definition = { environments: [{ name: 'staging', namespace: 'shop-staging', deployment: 'shop', container: 'app', policy: { required: 0 } }, { name: 'prod', namespace: 'shop', deployment: 'shop', container: 'app' }] };
    const badJson = await ui.post('/admin/apps', ADMIN, { 'app-name': 'Shop!', definition: '{"environments": [' });
    expect(badJson.status).toBe(400);
    expect(badJson.html).toMatch(/id="f-app-name-error"/);
    expect(badJson.html).toMatch(/id="f-definition-error"[^>]*>[\s\S]*the definition is not valid JSON/);
    const badField = await ui.post('/admin/apps', ADMIN, { 'app-name': 'shop', definition: JSON.stringify({ environments: [{ name: 'prod', namespace: 'Shop', deployment: 'shop', container: 'app' }] }) });
    expect(badField.status).toBe(400);
    expect(badField.html).toMatch(/id="f-definition-error"[^>]*>[\s\S]*environments\[0\]\.namespace/);
    const ok = await ui.post('/admin/apps', ADMIN, { 'app-name': 'shop', definition: JSON.stringify(definition) });
    expect(ok.status).toBe(303);
    expect((await deps.catalog.getApp('shop'))?.environments.map((e) => e.name)).toEqual(['staging', 'prod']);
    const again = await ui.post('/admin/apps', ADMIN, { 'app-name': 'shop', definition: JSON.stringify(definition) });
    expect(again.status).toBe(409);
    expect(again.html).toMatch(/id="f-app-name-error"[^>]*>[\s\S]*already registered/);
  });
});
