import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAdminRoutes } from '../../functions/api/dashboard/admin-routes';
import { dashboardAuditRoutes } from '../../functions/api/dashboard/audit-routes';
import { dashboardEnvironmentRoutes } from '../../functions/api/dashboard/environment-routes';
import { dashboardMetricsRoutes } from '../../functions/api/dashboard/metrics-routes';
import type { ApiDeps } from '../../functions/api/deps';
import type { Deployment } from '../../functions/domain/deployment';
import { buildApiDeps } from '../../functions/runtime/api';
import { api, as, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { dashboardTestApp } from './support/dashboard-session';
import { expectAccessiblePage, postForms } from './support/page-checks';

/**
 * Page 4 (the environment) against the real local stack: releases really go
 * through the state machine, the rollback from the page launches one, and a
 * config approver's Approve publishes the draft in the vote's transaction.
 */

let stack: TestStack;
let deps: ApiDeps;
let ui: ReturnType<typeof dashboardTestApp>;
let ci: ReturnType<typeof api>;
const STAGING = '/apps/hello-web/envs/staging';
const PROD = '/apps/hello-web/envs/prod';
const [imageA, imageB] = [imageFor(`env-page-a-${Date.now()}`), imageFor(`env-page-b-${Date.now()}`)];
let history: Deployment[];

beforeAll(async () => {
  stack = await startTestStack();
  deps = buildApiDeps(stack.env);
  ui = dashboardTestApp(deps, [dashboardEnvironmentRoutes(deps), dashboardMetricsRoutes(deps), dashboardAuditRoutes(deps), dashboardAdminRoutes(deps)]);
  ci = api(stack);
  // Two releases: each deploys staging, then waits in prod (the second supersedes the first there).
  for (const image of [imageA, imageB]) {
    const created = await ci.startRelease({ app: 'hello-web', image, commit: 'abc1234', committedAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(created.status).toBe(201);
    await ci.waitForStatus(String(created.json.id), ['waiting_for_approval']);
  }
  history = (await deps.deployments.history('hello-web', 'staging', { limit: 10 })).deployments;
  expect(history.map((d) => d.image)).toEqual([imageB, imageA]);
});
afterAll(() => stack?.close());

describe('the environment page', () => {
  it('shows what runs, the policy in plain words, the history with compare columns, and the configuration', async () => {
    const { status, html } = await ui.get(STAGING, 'admin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'environment');
    expect(html).toContain('no approval needed');
    expect(html).toContain(`title="${imageB}"`);
    expect(html).toContain(`name="a" value="${history[1]?.id}"`);
    expect(html).toContain(`name="b" value="${history[0]?.id}"`);
    expect(html).toContain('action="/apps/hello-web/envs/staging/compare"');
    expect(html).toContain('Configuration');
    // An admin manages but does not deploy: no rollback.
    expect(html).not.toContain('Roll back to this');
    const prod = await ui.get(PROD, 'admin@example.com');
    expect(prod.html).toContain('1 approval');
  });

  it('pages the history by the store cursor ("Older")', async () => {
    const original = deps.deployments.history.bind(deps.deployments);
    const first = await original('hello-web', 'staging', { limit: 1 });
    expect(first.cursor).toBeDefined();
    const older = await ui.get(`${STAGING}?cursor=${encodeURIComponent(first.cursor ?? '')}`, 'erin@example.com');
    expect(older.status).toBe(200);
    expect(older.html).toContain('>Newest</a>');
    const bad = await ui.get(`${STAGING}?cursor=bm90LWEtY3Vyc29y`, 'erin@example.com');
    expect(bad.status).toBe(400);
  });

  it('compares two deployments: image differs, in words', async () => {
    const { status, html } = await ui.get(`${STAGING}/compare?a=${history[1]?.id}&b=${history[0]?.id}`, 'erin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'compare');
    expect(html).toMatch(/<th scope="row">Image<\/th>[\s\S]*?<strong>differs<\/strong>/);
    expect(html).toContain(`title="${imageA}"`);
  });

  it('viewer erin sees the page without rollback or approve forms, and forged POSTs are refused 403', async () => {
    const { status, html } = await ui.get(STAGING, 'erin@example.com');
    expect(status).toBe(200);
    expect(html).not.toContain('Roll back');
    expect(postForms(html)).toEqual([]);
    const confirm = await ui.get(`${STAGING}/rollback?to=${history[1]?.id}`, 'erin@example.com');
    expect(confirm.status).toBe(403);
    const forged = await ui.post(`${STAGING}/rollback`, 'erin@example.com', { deploymentId: history[1]?.id ?? '', reason: 'forged' });
    expect(forged.status).toBe(403);
    expectAccessiblePage(forged.html, '403 page');
    expect(forged.html).toContain('erin@example.com may not roll back hello-web/staging');
    const noCsrf = await ui.post(`${STAGING}/rollback`, 'carol@example.com', { deploymentId: history[1]?.id ?? '', reason: 'no token' }, { csrf: null });
    expect(noCsrf.status).toBe(403);
    const otherCsrf = await ui.post(`${STAGING}/rollback`, 'carol@example.com', { deploymentId: history[1]?.id ?? '', reason: 'wrong token' }, { csrf: 'csrf-of-someone-else' });
    expect(otherCsrf.status).toBe(403);
    expect((await deps.deployments.history('hello-web', 'staging', { limit: 10 })).deployments).toHaveLength(2);
  });

  it('rolls back from the page: the form, a confirmation page, then the POST launches a rollback release', async () => {
    const page = await ui.get(STAGING, 'carol@example.com');
    expect(page.html).toContain(`href="${STAGING}/rollback?to=${history[1]?.id}"`);
    expect(page.html).toContain(`action="${STAGING}/rollback"`);
    const confirm = await ui.get(`${STAGING}/rollback?to=${history[1]?.id}&reason=${encodeURIComponent('B breaks checkout')}`, 'carol@example.com');
    expect(confirm.status).toBe(200);
    expectAccessiblePage(confirm.html, 'rollback confirmation');
    expect(confirm.html).toContain(`title="${imageA}"`);
    expect(confirm.html).toContain(`name="deploymentId" value="${history[1]?.id}"`);
    expect(confirm.html).toContain('B breaks checkout</textarea>');
    // No reason: the confirmation again, the error by the field.
    const empty = await ui.post(`${STAGING}/rollback`, 'carol@example.com', { deploymentId: history[1]?.id ?? '', reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.html).toMatch(/id="f-reason-error"[^>]*>[\s\S]*say why you roll back/);
    const done = await ui.post(`${STAGING}/rollback`, 'carol@example.com', { deploymentId: history[1]?.id ?? '', reason: 'B breaks checkout' });
    expect(done.status).toBe(303);
    const started = /started=([0-9a-f-]{36})/.exec(done.location ?? '')?.[1];
    expect(started).toBeDefined();
    const release = await deps.releases.get(started ?? '');
    expect(release).toMatchObject({ type: 'rollback', requestedBy: 'carol@example.com', image: imageA, comment: 'B breaks checkout' });
    await ci.waitForStatus(started ?? '', ['succeeded']);
    expect((await deps.catalog.getEnvironment('hello-web', 'staging'))?.current?.image).toBe(imageA);
    const after = await ui.get(done.location ?? '', 'carol@example.com');
    expect(after.html).toContain('Rollback started');
    expect(after.html).toContain(`href="/releases/${started}"`);
  });
});

describe('configuration on the environment page', () => {
  let draftId: string;

  beforeAll(async () => {
    const carol = await as(stack, 'carol@example.com');
    const proposed = await carol.call('PUT', '/v1/apps/hello-web/envs/prod/config', { override: { replicas: 3 }, comment: 'more replicas' });
    expect(proposed.status).toBe(202);
    draftId = String((proposed.json.draft as { id: string }).id);
  });

  it('shows the open draft with its diff; only dave (config approver) gets Approve and Reject', async () => {
    const dave = await ui.get(PROD, 'dave@example.com');
    expect(dave.status).toBe(200);
    expectAccessiblePage(dave.html, 'environment (dave)');
    expect(dave.html).toContain('more replicas');
    expect(dave.html).toMatch(/\+ replicas = 3/);
    expect(postForms(dave.html)).toEqual([`${PROD}/config/decision`]);
    expect(dave.html).toContain(`name="draft" value="${draftId}"`);
    for (const who of ['erin@example.com', 'carol@example.com', 'alice@example.com', 'admin@example.com']) {
      expect(postForms((await ui.get(PROD, who)).html), who).not.toContain(`${PROD}/config/decision`);
    }
  });

  it('a stale sign-in gets a step-up link instead, and its POST is refused', async () => {
    const stale = await ui.get(PROD, 'dave@example.com', { age: 3600 });
    expect(postForms(stale.html)).toEqual([]);
    expect(stale.html).toContain('Sign in again to approve or reject');
    const refused = await ui.post(`${PROD}/config/decision`, 'dave@example.com', { draft: draftId, decision: 'approve' }, { age: 3600 });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('step-up-required');
  });

  it('a viewer forging the vote is refused 403 (and nothing is published)', async () => {
    const forged = await ui.post(`${PROD}/config/decision`, 'erin@example.com', { draft: draftId, decision: 'approve' });
    expect(forged.status).toBe(403);
    expect(await deps.configs.latest('hello-web', 'prod')).toBeUndefined();
  });

  it('dave approves from the diff: the same vote as the link, and it publishes', async () => {
    const voted = await ui.post(`${PROD}/config/decision`, 'dave@example.com', { draft: draftId, decision: 'approve', comment: 'fine' });
    expect(voted.status).toBe(303);
    expect(voted.location).toBe(`${PROD}?done=approved#configuration`);
    const published = await deps.configs.latest('hello-web', 'prod');
    expect(published).toMatchObject({ version: 1, approvedBy: ['dave@example.com'], author: 'carol@example.com' });
    const page = await ui.get(voted.location ?? '', 'dave@example.com');
    expect(page.html).toContain('You approved the draft');
    expect(page.html).toContain('No open draft.');
    expect(page.html).toMatch(/<th scope="row">v1<\/th>/);
    const { events } = await deps.auditTrail.page('hello-web', { limit: 1000, actor: 'dave@example.com' });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['approval.vote', 'approval.decided', 'config.published']));
  });
});
