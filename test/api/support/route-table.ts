import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createApp } from '../../../functions/api/app';
import { signLink } from '../../../functions/domain/approval-link';
import { buildApiDeps } from '../../../functions/runtime/api';
import { imageFor } from '../../support/clients';
import type { TestStack } from '../../support/stack';

/**
 * Every route of the API as a test case: sample values for its path
 * parameters, which of them are names (one name rule: refused with 400), and
 * for routes with a body a valid example plus a way to put a given string into
 * a free-text field of it. The hostile-input and property tests iterate this
 * table and fail when the app has a route the table does not know.
 */
export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As Hono lists it in `app.routes`. */
  path: string;
  params?: Record<string, string>;
  /** Parameters under the one name rule (apps, environments, groups). */
  names?: string[];
  /** JSON routes: a valid body and the same body with `text` in a free-text field. */
  json?: { valid: unknown; withText: (text: string) => unknown };
  /** A form POST (application/x-www-form-urlencoded): the email link's, or a dashboard form's. */
  form?: true;
  /** The route answers without a token. */
  public?: true;
}

const SAMPLE_RELEASE = '00000000-0000-4000-8000-000000000000';
const weekly = (reason: string) => ({ kind: 'weekly', timeZone: 'UTC', days: ['fri'], start: '16:00', end: '23:59', reason });
const env = (name: string) => ({ name, namespace: 'shop', deployment: 'shop', container: 'app' });
const APP_ENV = { app: 'hello-web', env: 'prod' };

export const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/healthz', public: true },
  { method: 'GET', path: '/readyz', public: true },
  // The OpenAPI document and its reference page (issue 12): public, no parameters, no body.
  { method: 'GET', path: '/openapi.json', public: true },
  { method: 'GET', path: '/docs', public: true },
  {
    method: 'POST',
    path: '/v1/releases',
    json: { valid: { app: 'hello-web', image: imageFor('hostile') }, withText: (text) => ({ app: 'hello-web', image: imageFor('hostile'), comment: text }) },
  },
  { method: 'GET', path: '/v1/releases/:id', params: { id: SAMPLE_RELEASE } },
  { method: 'GET', path: '/v1/releases/:id/history', params: { id: SAMPLE_RELEASE } },
  { method: 'POST', path: '/v1/releases/:id/cancel', params: { id: SAMPLE_RELEASE } },
  { method: 'GET', path: '/v1/approvals' },
  {
    method: 'POST',
    path: '/v1/approvals/:id/decision',
    params: { id: `${SAMPLE_RELEASE}.prod` },
    json: { valid: { decision: 'reject' }, withText: (text) => ({ decision: 'reject', comment: text }) },
  },
  { method: 'GET', path: '/v1/reviews' },
  { method: 'POST', path: '/v1/reviews/:releaseId', params: { releaseId: SAMPLE_RELEASE }, json: { valid: { comment: 'looked at it' }, withText: (text) => ({ comment: text }) } },
  { method: 'GET', path: '/v1/apps/:app', params: { app: 'hello-web' }, names: ['app'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app',
    params: { app: 'fresh-app' },
    names: ['app'],
    json: { valid: { environments: [env('staging'), env('prod')] }, withText: (text) => ({ environments: [env(text), env('prod')] }) },
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/policy', params: APP_ENV, names: ['app', 'env'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/envs/:env/policy',
    params: APP_ENV,
    names: ['app', 'env'],
    json: { valid: { required: 1 }, withText: (text) => ({ required: 1, freeze: { windows: [weekly(text)] } }) },
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/deployments', params: APP_ENV, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/deployments/compare', params: APP_ENV, names: ['app', 'env'] },
  { method: 'POST', path: '/v1/apps/:app/envs/:env/rollback', params: APP_ENV, names: ['app', 'env'], json: { valid: { reason: 'bad deploy' }, withText: (text) => ({ reason: text }) } },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/metrics', params: APP_ENV, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/config/base', params: { app: 'hello-web' }, names: ['app'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/config/base',
    params: { app: 'hello-web' },
    names: ['app'],
    json: { valid: { base: { replicas: 2 } }, withText: (text) => ({ base: { env: { GREETING: text } } }) },
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config', params: APP_ENV, names: ['app', 'env'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/envs/:env/config',
    params: APP_ENV,
    names: ['app', 'env'],
    json: { valid: { override: { replicas: 3 } }, withText: (text) => ({ override: { replicas: 3 }, comment: text }) },
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/draft', params: APP_ENV, names: ['app', 'env'] },
  { method: 'DELETE', path: '/v1/apps/:app/envs/:env/config/draft', params: APP_ENV, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/draft/rebase', params: APP_ENV, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/versions', params: APP_ENV, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/versions/:version', params: { ...APP_ENV, version: '1' }, names: ['app', 'env'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/diff', params: APP_ENV, names: ['app', 'env'] },
  // Webhooks (B17): the app's admins; the body's free strings are the URL and the event types.
  {
    method: 'POST',
    path: '/v1/apps/:app/webhooks',
    params: { app: 'hello-web' },
    names: ['app'],
    json: { valid: { url: 'https://hooks.example.com/gatekeeper', events: ['release.finished'] }, withText: (text) => ({ url: 'https://hooks.example.com/gatekeeper', events: [text] }) },
  },
  { method: 'GET', path: '/v1/apps/:app/webhooks', params: { app: 'hello-web' }, names: ['app'] },
  { method: 'DELETE', path: '/v1/apps/:app/webhooks/:id', params: { app: 'hello-web', id: 'wh_00000000' }, names: ['app'] },
  { method: 'GET', path: '/v1/apps/:app/webhooks/:id/deliveries', params: { app: 'hello-web', id: 'wh_00000000' }, names: ['app'] },
  { method: 'GET', path: '/v1/tokens' },
  { method: 'POST', path: '/v1/tokens', json: { valid: { identity: 'ci:hostile' }, withText: (text) => ({ identity: 'ci:hostile', description: text }) } },
  { method: 'DELETE', path: '/v1/tokens/:id', params: { id: 'tok_000000000000' } },
  { method: 'GET', path: '/v1/audit' },
  { method: 'GET', path: '/v1/audit/verify' },
  { method: 'GET', path: '/v1/audit/security' },
  { method: 'GET', path: '/v1/audit/export' },
  { method: 'GET', path: '/v1/directory/groups' },
  {
    method: 'PUT',
    path: '/v1/directory/groups/:name',
    params: { name: 'release-managers' },
    names: ['name'],
    json: { valid: { members: ['alice@example.com'] }, withText: (text) => ({ members: [text] }) },
  },
  { method: 'GET', path: '/v1/directory/grants' },
  {
    method: 'POST',
    path: '/v1/directory/grants',
    json: {
      valid: { subject: { group: 'release-managers' }, role: 'viewer', app: 'hello-web', environment: '*' },
      withText: (text) => ({ subject: { group: text }, role: 'viewer', app: 'hello-web', environment: '*' }),
    },
  },
  { method: 'DELETE', path: '/v1/directory/grants/:id', params: { id: 'grant_00000000' } },
  { method: 'GET', path: '/approve/:token', params: { token: 'signed' }, public: true },
  { method: 'POST', path: '/approve/:token', params: { token: 'signed' }, form: true, public: true },
  // Dashboard sign-in: no token (a session cookie or none); hostile-input.test.ts has cases of their own ("dashboard sign-in").
  { method: 'GET', path: '/auth/login', public: true },
  { method: 'GET', path: '/auth/callback', public: true },
  { method: 'POST', path: '/auth/logout', public: true },
  { method: 'GET', path: '/auth/signed-out', public: true },
  { method: 'GET', path: '/auth/session', public: true },
];

/**
 * The dashboard's overview, approvals and release pages and its assets (issue
 * 11), behind a signed session cookie instead of a token: they are given to
 * createApp as its dashboard routes, so they have cases of their own (see
 * "dashboard pages" in hostile-input.test.ts). `public` routes need no session.
 */
export const DASHBOARD_ROUTES: RouteCase[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/approvals' },
  { method: 'POST', path: '/approvals/:releaseId/:environment/decision', params: { releaseId: SAMPLE_RELEASE, environment: 'prod' }, names: ['environment'], form: true },
  { method: 'GET', path: '/releases/:id', params: { id: SAMPLE_RELEASE } },
  { method: 'GET', path: '/releases/:id/live', params: { id: SAMPLE_RELEASE } },
  { method: 'POST', path: '/releases/:id/cancel', params: { id: SAMPLE_RELEASE }, form: true },
  { method: 'GET', path: '/assets/:file', params: { file: 'release-live.js' }, public: true },
];

/** `METHOD /path` of every route the app serves (middleware entries excluded). */
export function appRoutes(stack: TestStack): string[] {
  const app = createApp(buildApiDeps(stack.env));
  return [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort();
}

export const routeKey = (route: RouteCase) => `${route.method} ${route.path}`;

/**
 * The route's URL with its parameters filled in: the samples, with `override`
 * put in raw (already URL-encoded where the test means it). A link token
 * sample is a real signed link for a release that does not exist, so a
 * refused form is refused for its content and not for its signature.
 */
export function urlOf(stack: TestStack, route: RouteCase, override: Record<string, string> = {}): string {
  const values: Record<string, string> = { ...route.params, ...override };
  if (values.token === 'signed') values.token = signedLink(stack);
  const path = route.path.replace(/:(\w+)/g, (_all, name: string) => values[name] ?? '');
  return stack.apiUrl + path;
}

export function signedLink(stack: TestStack, releaseId: string = randomUUID(), approver = 'alice@example.com'): string {
  return signLink({ releaseId, app: 'hello-web', environment: 'prod', approver, expiresAt: Math.floor(Date.now() / 1000) + 600 }, stack.signingSecret);
}

/**
 * A digest of every item in the table: "nothing written" means no item was
 * added, removed or changed (a count alone would miss an update such as a
 * policy version bump).
 */
export async function tableDigest(stack: TestStack): Promise<{ digest: string; items: number }> {
  const db = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1' });
  try {
    const rows: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) rows.push(JSON.stringify(sortKeys(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    rows.sort();
    return { digest: createHash('sha256').update(rows.join('\n')).digest('hex'), items: rows.length };
  } finally {
    db.destroy();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
}
