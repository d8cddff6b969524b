import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_FACE_ROUTES } from '../../cdk/constructs/api';
import { buildBundle, lambdaEntries, loadedWith } from '../../cdk/lambda-bundles';
import { DASHBOARD_MODULE } from '../../bench/bundles';
import { createApiApp } from '../../functions/api/api-face';
import { createDashboardApp } from '../../functions/api/dashboard/face';
import { dashboardRoutes } from '../../functions/api/dashboard/routes';
import { buildApiDeps } from '../../functions/runtime/api';

const outdir = mkdtempSync(path.join(tmpdir(), 'gatekeeper-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Which modules a cold start loads, not how long it takes: timings are the bench's (npm run bench).
describe('the API face bundle', () => {
  let built: ReturnType<typeof buildBundle> | undefined;
  const apiBundle = () => (built ??= buildBundle(lambdaEntries.api, path.join(outdir, 'api')));

  it('loads nothing of the dashboard, and the SES and Step Functions clients only on first use', async () => {
    const api = await apiBundle();
    expect(api.loadedModules.filter((module) => DASHBOARD_MODULE.test(module))).toEqual([]);
    expect(api.loadedModules.filter((module) => /node_modules\/@aws-sdk\/client-(?:ses|sfn)\//.test(module))).toEqual([]);
    expect(api.loadedModules).toContain('functions/api/routes/releases.ts');
    expect(api.assetKb).toBeGreaterThan(api.loadedKb);
  }, 120_000);

  it('loads the route groups registered by path only (routes/groups.ts) on their first request, not at cold start', async () => {
    const api = await apiBundle();
    const onDemand = /^functions\/(?:api\/routes\/(?:approval-links|approvals|apps|audit|config|deployments|directory|reviews|tokens|webhooks)\.ts|api\/openapi\/|usecases\/(?:webhooks|record-vote|config-changes|directory-admin|tokens|audit-trail|app-admin)\.ts)/;
    expect(api.loadedModules.filter((module) => onDemand.test(module))).toEqual([]);
    // They are in the asset, behind the one import() that loads them all.
    const firstUse = loadedWith(api, ['functions/api/routes/on-demand.ts']).modules;
    expect(firstUse).toEqual(expect.arrayContaining(['functions/api/routes/webhooks.ts', 'functions/usecases/webhooks.ts', 'functions/api/openapi/routes.ts']));
  }, 120_000);

  it('while the dashboard face loads its pages and sign-in', async () => {
    const dashboard = await buildBundle(lambdaEntries.dashboard, path.join(outdir, 'dashboard'));
    expect(dashboard.loadedModules.filter((module) => DASHBOARD_MODULE.test(module)).length).toBeGreaterThan(0);
    expect(dashboard.loadedModules).not.toContain('functions/api/routes/releases.ts');
  }, 120_000);
});

describe('API Gateway routes to the two faces', () => {
  // Nothing is contacted: the deps only read their configuration.
  const deps = buildApiDeps({
    TABLE_NAME: 'gatekeeper', AWS_REGION: 'us-east-1', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', LINK_SIGNING_SECRET: 'x'.repeat(40),
    MAIL_FROM: 'gatekeeper@example.com', PUBLIC_BASE_URL: 'https://gatekeeper.example.com', OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'gatekeeper',
    OIDC_CLIENT_SECRET: 'y'.repeat(40), SESSION_SECRET: 'z'.repeat(40),
  });
  const gatewayRoutes = API_FACE_ROUTES.map((route) => (route.endsWith('/{proxy+}') ? (path: string) => path.startsWith(route.slice(0, -'{proxy+}'.length)) && path.length > route.length - '{proxy+}'.length : (path: string) => path === route));
  const toApiFace = (path: string) => gatewayRoutes.some((matches) => matches(path));
  const handlerPaths = (routes: ReadonlyArray<{ path: string; method: string }>) => [...new Set(routes.filter((r) => !r.path.includes('*')).map((r) => r.path))];

  it('sends every path the API face answers to it', () => {
    const paths = handlerPaths(createApiApp(deps).routes);
    expect(paths).toContain('/v1/releases/:id');
    expect(paths.filter((path) => !toApiFace(path))).toEqual([]);
  });

  it('sends every page, sign-in and asset path to the dashboard face ($default); both answer health', () => {
    const paths = handlerPaths(createDashboardApp(deps, dashboardRoutes(deps)).routes).filter((path) => path !== '/healthz' && path !== '/readyz');
    expect(paths).toContain('/auth/login');
    expect(paths.filter(toApiFace)).toEqual([]);
  });
});
