import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAuditRoutes, instantOf } from '../../functions/api/dashboard/audit-routes';
import { dashboardMetricsRoutes } from '../../functions/api/dashboard/metrics-routes';
import type { ApiDeps } from '../../functions/api/deps';
import { buildApiDeps } from '../../functions/runtime/api';
import { METRICS_CHARTS_SRC } from '../../functions/views/dashboard/assets/charts';
import { api, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { dashboardTestApp } from './support/dashboard-session';
import { expectAccessiblePage } from './support/page-checks';

/** Pages 5 (Metrics) and 6 (Audit) against the real local stack, after a release really deployed staging. */

let stack: TestStack;
let deps: ApiDeps;
let ui: ReturnType<typeof dashboardTestApp>;
let ci: ReturnType<typeof api>;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  deps = buildApiDeps(stack.env);
  ui = dashboardTestApp(deps, [dashboardMetricsRoutes(deps), dashboardAuditRoutes(deps)]);
  ci = api(stack);
  const created = await ci.startRelease({ app: 'hello-web', image: imageFor(`metrics-${Date.now()}`), commit: 'abc1234', committedAt: new Date(Date.now() - 2 * 3_600_000).toISOString() });
  expect(created.status).toBe(201);
  await ci.waitForStatus(String(created.json.id), ['waiting_for_approval']);
});
afterAll(() => stack?.close());

describe('the metrics page', () => {
  it('shows one environment: figures for 7, 30 and 90 days, the chart script and figures, and the same series as a table', async () => {
    const { status, html } = await ui.get('/metrics?app=hello-web&env=staging&days=7', 'erin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'metrics');
    expect(html).toContain(`<script src="${METRICS_CHARTS_SRC}" defer`);
    expect(html).toMatch(/<th scope="col">7 days[\s\S]*<th scope="col">30 days[\s\S]*<th scope="col">90 days/);
    for (const chart of ['frequency', 'lead-time', 'failure-rate', 'restore']) expect(html).toContain(`id="chart-${chart}" data-chart="`);
    const data = JSON.parse((/id="chart-frequency" data-chart="([^"]+)"/.exec(html)?.[1] ?? '{}').replaceAll('&quot;', '"')) as { x: number[]; y: number[] };
    expect(data.x).toHaveLength(7);
    expect(data.y.at(-1)).toBe(1);
    // The same numbers for screen readers and without script: today's row, one successful deployment with a lead time of about 2 h.
    expect(html).toMatch(new RegExp(`<th scope="row">${today}</th><td>1</td><td>1</td><td>0</td><td>0 %</td><td>2 h</td><td>—</td>`));
    // The same computation as the API.
    const fromApi = await ci.call('GET', '/v1/apps/hello-web/envs/staging/metrics?days=30');
    expect(html).toContain(`<td>${String(fromApi.json.deploymentFrequencyPerDay)}</td>`);
  });

  it('lists every environment the identity may view, with links to their charts', async () => {
    const { status, html } = await ui.get('/metrics', 'erin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'metrics overview');
    expect(html).toContain('href="/metrics?app=hello-web&amp;env=staging&amp;days=30"');
    expect(html).toContain('hello-api / prod-us');
    expect(html).not.toContain('<script');
  });

  it('refuses a window other than 7, 30 or 90, half a target, and environments the identity may not view', async () => {
    expect((await ui.get('/metrics?days=5', 'erin@example.com')).status).toBe(400);
    expect((await ui.get('/metrics?app=hello-web', 'erin@example.com')).status).toBe(400);
    expect((await ui.get('/metrics?app=hello-web&env=staging', 'nobody@example.com')).status).toBe(403);
    expect((await ui.get('/metrics', 'nobody@example.com')).html).toContain('You may not view any environment yet.');
  });
});

describe('the audit page', () => {
  it('shows the chain page by page with filters', async () => {
    const { status, html } = await ui.get('/audit?app=hello-web', 'erin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'audit');
    expect(html).toContain('release.requested');
    expect(html).toContain('ci:hello-web-pipeline');
    expect(html).toContain('href="/audit/verify?app=hello-web"');
    expect(html).toContain('href="/audit/export?app=hello-web&amp;format=jsonl"');
    // Erin may not read the directory's trail: it is not offered.
    expect(html).not.toContain('<option value="*"');
    const filtered = await ui.get('/audit?app=hello-web&actor=ci%3Ahello-web-pipeline', 'erin@example.com');
    expect(filtered.html).toContain('release.requested');
    expect(filtered.html).not.toContain('system:release-state-machine');
    // Page by page, by the store's cursor.
    const first = await ui.get('/audit?app=hello-web&limit=2', 'erin@example.com');
    expect(first.html).toMatch(/<caption>hello-web: events 1 to 2 that match<\/caption>/);
    const next = /href="(\/audit\?[^"]*cursor=[^"]+)">Next events</.exec(first.html)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(next).toContain('limit=2');
    const second = await ui.get(next, 'erin@example.com');
    expect(second.html).toMatch(/<caption>hello-web: events 3 to 4 that match<\/caption>/);
    expect((await ui.get('/audit?app=hello-web&limit=0', 'erin@example.com')).status).toBe(400);
    const admin = await ui.get('/audit', 'admin@example.com');
    expect(admin.html).toContain('<option value="*"');
  });

  it('shows a refused filter by its field, with status 400', async () => {
    const { status, html } = await ui.get('/audit?app=hello-web&from=yesterday', 'erin@example.com');
    expect(status).toBe(400);
    expect(html).toMatch(/id="f-from-error"[^>]*>[\s\S]*from must be an ISO date-time/);
    expect(instantOf('2026-12-02T12:00')).toBe('2026-12-02T12:00:00Z');
  });

  it('verifies the chain (a GET) and says OK', async () => {
    const { status, html } = await ui.get('/audit/verify?app=hello-web', 'erin@example.com');
    expect(status).toBe(200);
    expectAccessiblePage(html, 'verify');
    expect(html).toMatch(/<strong>OK:<\/strong> all \d+ events are intact/);
  });

  it('exports through the same use case as the API, with the session authorization', async () => {
    // Without a session: sent to sign in, nothing exported.
    expect((await ui.app.request('/audit/export?app=hello-web&format=csv')).status).toBe(302);
    const exported = await ui.get('/audit/export?app=hello-web&format=jsonl', 'erin@example.com');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="gatekeeper-audit-hello-web-\d+\.jsonl"$/);
    const fromApi = await ci.call('GET', '/v1/audit/verify?app=hello-web');
    expect(exported.headers.get('x-audit-head')).toBe(`${String((fromApi.json.head as { seq: number }).seq)} ${String((fromApi.json.head as { hash: string }).hash)}`);
    expect(exported.html.trim().split('\n').at(-1)).toContain('"type":"head"');
    expect((await ui.get('/audit/export?app=*', 'erin@example.com')).status).toBe(403);
    expect((await ui.get('/audit/export?app=hello-web&format=xml', 'erin@example.com')).status).toBe(400);
  });
});
