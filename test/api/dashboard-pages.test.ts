import { randomBytes } from 'node:crypto';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { dashboardApprovalsRoutes } from '../../functions/api/dashboard/approvals-routes';
import { assetsRoutes } from '../../functions/api/dashboard/assets-routes';
import { dashboardOverviewRoutes } from '../../functions/api/dashboard/overview-routes';
import { dashboardReleaseRoutes } from '../../functions/api/dashboard/release-routes';
import { writeSessionCookie } from '../../functions/api/dashboard/session-cookie';
import type { ApiDeps } from '../../functions/api/deps';
import { buildApiDeps } from '../../functions/runtime/api';
import { api, as, imageFor, type ReleaseJson } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

/**
 * The dashboard's overview, approvals and release pages against the real
 * local stack (DynamoDB Local, the Step Functions emulator, the simulated
 * clusters), with releases that really go through the pipeline, served by the
 * real app (createApp: requireSession, requireCsrf, security headers, 405s).
 *
 * The session is a real signed session cookie, written with the sign-in's own
 * writeSessionCookie: it stands in for signing in at the provider, which the
 * sign-in tests and the browser suite prove. `authTime` is set relative to
 * deps.clock, so the step-up rule sees a sign-in as old as each test says.
 */

const CSRF = randomBytes(24).toString('base64url');

let stack: TestStack;
let deps: ApiDeps;
let app: ReturnType<typeof createApp>;
let base: string;
let ci: ReturnType<typeof api>;
let seed = Date.now();

beforeAll(async () => {
  stack = await startTestStack();
  // Sign-in settings of the test's own (the provider is never called: the cookie is made here).
  deps = buildApiDeps({ ...stack.env, OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_CLIENT_ID: 'gatekeeper-test', OIDC_CLIENT_SECRET: 'unused', SESSION_SECRET: randomBytes(32).toString('hex') });
  app = createApp(deps, [assetsRoutes(deps), dashboardOverviewRoutes(deps), dashboardApprovalsRoutes(deps), dashboardReleaseRoutes(deps)]);
  base = deps.publicBaseUrl;
  ci = api(stack);
});
afterAll(() => stack?.close());

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** A signed session cookie for `identity`, signed in `authAge` seconds ago (by deps.clock). */
async function cookieFor(identity: string, authAge = 60): Promise<string> {
  const now = deps.clock();
  const writer = new Hono();
  writer.get('/', async (c) => {
    const settings = { publicBaseUrl: deps.publicBaseUrl, sessionSecret: deps.sessionSecret };
    await writeSessionCookie(c, settings, { identity, authTime: epoch(now) - authAge, csrfToken: CSRF, expiresAt: epoch(now) + 3600 }, now);
    return c.body(null, 204);
  });
  const setCookie = (await writer.request('/')).headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0] ?? '';
}

/** A page as `identity` sees it, signed in `authAge` seconds ago. */
async function get(path: string, identity: string, authAge = 60) {
  const response = await app.request(base + path, { headers: { cookie: await cookieFor(identity, authAge), accept: 'text/html' } });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** A form POST as a browser sends it from the dashboard (same origin, the session's CSRF token unless overridden). */
async function post(path: string, identity: string, fields: Record<string, string>, authAge = 60) {
  const response = await app.request(base + path, {
    method: 'POST',
    headers: { cookie: await cookieFor(identity, authAge), origin: new URL(base).origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ csrf: CSRF, ...fields }).toString(),
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

/** The accessibility basics every page keeps: one main landmark, and every visible control labelled. */
function expectAccessible(html: string, what: string) {
  expect(html.match(/<main[\s>]/g) ?? [], `${what}: one <main>`).toHaveLength(1);
  expect(html, what).toMatch(/^<!doctype html>/i);
  const labels = new Set([...html.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((m) => m[1]));
  for (const [control] of html.matchAll(/<(input|textarea|select)\b[^>]*>/g)) {
    if (/type="hidden"/.test(control)) continue;
    const id = /\sid="([^"]+)"/.exec(control)?.[1];
    expect(/aria-label="[^"]+"/.test(control) || (id !== undefined && labels.has(id)), `${what}: ${control} has a label`).toBe(true);
  }
  for (const table of html.match(/<table[\s\S]*?<\/table>/g) ?? []) expect(table, `${what}: tables have headers`).toContain('<th');
  // The CSP admits same-origin scripts only: nothing inline, no handlers, no style attributes.
  expect(html, what).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)|\son[a-z]+=|\sstyle=/i);
}

const decisionForms = (html: string) => [...html.matchAll(/<form method="post" action="(\/approvals\/[^"]+\/decision)"/g)].map((m) => m[1]);
const stageOf = (release: ReleaseJson, environment: string) => release.stages.find((s) => s.environment === environment);

async function waitForStage(id: string, environment: string, wanted: string[], timeoutMs = 20_000): Promise<ReleaseJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = await ci.release(id);
    if (wanted.includes(stageOf(release, environment)?.status ?? 'pending')) return release;
    if (Date.now() > deadline) throw new Error(`${environment} of ${id} is ${stageOf(release, environment)?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the dashboard pages', () => {
  let carol: ReturnType<typeof api>;
  let id: string;
  let image: string;

  beforeAll(async () => {
    // Carol (a deployer) requests and authors a hello-api release: staging and its smoke test run, then prod-eu and prod-us wait.
    carol = await as(stack, 'carol@example.com');
    image = imageFor(seed++, 'registry.example.com/hello-api');
    const created = await carol.startRelease({ app: 'hello-api', image, commit: 'abc1234', author: 'carol@example.com', labels: ['dashboard'], comment: 'from the dashboard test' });
    expect(created.status).toBe(201);
    id = String(created.json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
  });

  it('overview: alice sees hello-web and hello-api, what runs in each environment, what is in flight and what waits for her', async () => {
    const { status, html } = await get('/', 'alice@example.com');
    expect(status).toBe(200);
    expectAccessible(html, 'overview');
    for (const app of ['hello-web', 'hello-api']) expect(html).toContain(`<h2 id="app-${app}">${app}</h2>`);
    for (const env of ['staging', 'prod', 'prod-eu', 'prod-us']) expect(html).toContain(`<th scope="row">${env}</th>`);
    // What runs: the short digest on screen, the whole reference in the title.
    expect(html).toMatch(/<code class="digest" title="registry\.example\.com\/hello-web@sha256:0{63}1">/);
    // Staging already runs the new image; it is in flight and waits for her in prod-eu and prod-us.
    expect(html).toContain(`title="${image}"`);
    expect(html).toContain(`href="/releases/${id}"`);
    expect(html).toContain(`href="/approvals#${id}-prod-eu"`);
    expect(html).toContain(`href="/approvals#${id}-prod-us"`);
    expect(html).toContain('waiting for approval');
  });

  it('overview: erin (viewer) sees the same apps, and nothing waits for her', async () => {
    const { status, html } = await get('/', 'erin@example.com');
    expect(status).toBe(200);
    expect(html).toContain('<h2 id="app-hello-api">hello-api</h2>');
    expect(html).toContain('Nothing waits for your decision.');
    expect(decisionForms(html)).toEqual([]);
  });

  it('approvals: alice gets the waiting hello-api release with its facts, evidence and a labelled decision form per environment', async () => {
    const { status, html } = await get('/approvals', 'alice@example.com');
    expect(status).toBe(200);
    expectAccessible(html, 'approvals');
    expect(decisionForms(html)).toEqual(expect.arrayContaining([`/approvals/${id}/prod-eu/decision`, `/approvals/${id}/prod-us/decision`]));
    expect(html).toContain('carol@example.com');
    expect(html).toContain('from the dashboard test');
    expect(html).toContain('dashboard');
    expect(html).toMatch(/needs 1 more/);
    expect(html).toMatch(/staging checks<\/th><td>passed: smoke-test \(job, post\)/);
    expect(html).toContain(`<input type="hidden" name="csrf" value="${CSRF}"/>`);
  });

  it('approvals: erin sees the pending requests but gets no form; carol sees her own with "you cannot approve this" and Cancel', async () => {
    const erin = await get('/approvals', 'erin@example.com');
    expect(erin.status).toBe(200);
    expectAccessible(erin.html, 'approvals (erin)');
    expect(erin.html).toContain(`id="${id}-prod-eu"`);
    expect(decisionForms(erin.html)).toEqual([]);
    expect(erin.html).toContain('You are not an approver of this environment');
    expect(erin.html).not.toContain('Cancel release');

    const own = await get('/approvals', 'carol@example.com');
    expect(decisionForms(own.html)).toEqual([]);
    expect(own.html).toContain('you cannot approve this');
    expect(own.html).toContain(`action="/releases/${id}/cancel"`);
  });

  it('refuses a forged decision by the requester (self-approval) and by a viewer with 403 pages, and audits them', async () => {
    const self = await post(`/approvals/${id}/prod-eu/decision`, 'carol@example.com', { decision: 'approve' });
    expect(self.status).toBe(403);
    expect(self.html).toContain('self-approval');
    expectAccessible(self.html, 'self-approval page');
    const viewer = await post(`/approvals/${id}/prod-eu/decision`, 'erin@example.com', { decision: 'approve' });
    expect(viewer.status).toBe(403);
    expect(viewer.html).toContain('not-an-approver');
    const refused = (await auditEvents(stack, id)).filter((e) => e.action === 'approval.refused');
    expect(refused.map((e) => e.actor)).toEqual(expect.arrayContaining(['carol@example.com', 'erin@example.com']));
    expect(stageOf(await ci.release(id), 'prod-eu')?.approval?.votes).toEqual([]);
  });

  it('asks for a fresh sign-in before a decision: the form area links to step-up, and a stale POST is refused 403', async () => {
    const stale = 20 * 60;
    const page = await get('/approvals', 'alice@example.com', stale);
    expect(decisionForms(page.html)).toEqual([]);
    expect(page.html).toContain('Sign in again to approve');
    expect(page.html).toMatch(/href="\/auth\/login\?stepUp=1&amp;returnTo=(\/|%2F)approvals"/);
    const refused = await post(`/approvals/${id}/prod-eu/decision`, 'alice@example.com', { decision: 'approve' }, stale);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('step-up-required');
    expect(stageOf(await ci.release(id), 'prod-eu')?.approval?.votes).toEqual([]);
  });

  it('refuses a decision without the session CSRF token', async () => {
    const response = await post(`/approvals/${id}/prod-eu/decision`, 'alice@example.com', { decision: 'approve', csrf: 'forged' });
    expect(response.status).toBe(403);
    expect(stageOf(await ci.release(id), 'prod-eu')?.approval?.votes).toEqual([]);
  });

  it('alice approves prod-eu in place: 303 back with a status message, and the release proceeds', async () => {
    const decided = await post(`/approvals/${id}/prod-eu/decision`, 'alice@example.com', { decision: 'approve', comment: 'looks good\r\nship it' });
    expect(decided.status).toBe(303);
    expect(decided.location).toBe('/approvals?done=approved');
    const after = await get(decided.location ?? '', 'alice@example.com');
    expect(after.html).toMatch(/<div role="status" class="flash">You approved/);
    expect(decisionForms(after.html)).not.toContain(`/approvals/${id}/prod-eu/decision`);
    const release = await waitForStage(id, 'prod-eu', ['succeeded']);
    expect(stageOf(release, 'prod-eu')?.approvedBy).toEqual(['alice@example.com']);
    expect(stageOf(release, 'prod-eu')?.approval?.votes).toEqual([expect.objectContaining({ voter: 'alice@example.com', decision: 'approve', comment: 'looks good\nship it' })]);
    expect(await auditEvents(stack, id)).toContainEqual(expect.objectContaining({ action: 'approval.vote', actor: 'alice@example.com' }));
  });

  it('release page: facts, the pipeline as a graph of its three environments with statuses, stage details with the check log tail', async () => {
    const { status, html } = await get(`/releases/${id}`, 'erin@example.com');
    expect(status).toBe(200);
    expectAccessible(html, 'release');
    expect(html).toContain('<ol class="pipeline"');
    const graph = /<ol class="pipeline"[\s\S]*?<\/ol>/.exec(html)?.[0] ?? '';
    expect(graph.match(/<li class="wave">/g)).toHaveLength(2);
    expect(graph.match(/<li class="node">/g)).toHaveLength(3);
    expect(graph).toMatch(/staging<\/strong><\/a> <span class="badge tone-ok">.*succeeded/);
    expect(graph).toMatch(/prod-eu<\/strong><\/a> <span class="badge tone-(ok|run)">/);
    expect(graph).toMatch(/prod-us<\/strong><\/a> <span class="badge tone-wait">.*waiting for approval/);
    expect(graph).toContain('after staging');
    expect(html).toContain('carol@example.com');
    expect(html).toMatch(/<details id="log-staging-smoke-test"><summary>Log tail of smoke-test<\/summary><pre>[^<]*simulator: running: \/bin\/smoke-test/);
    expect(html).toContain(`/v1/releases/${id}/history`);
    // Live while it runs: the same-origin script, the polite status region, the fragment's address.
    expect(html).toMatch(/<script src="\/assets\/release-live\.js\?v=[\w-]+" defer=""><\/script>|<script src="\/assets\/release-live\.js\?v=[\w-]+" defer><\/script>/);
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain(`data-live-src="/releases/${id}/live"`);
  });

  it('release page: the live fragment answers with the graph and stages, marked for the script', async () => {
    const live = await get(`/releases/${id}/live`, 'alice@example.com');
    expect(live.status).toBe(200);
    expect(live.headers.get('x-gatekeeper-fragment')).toBe('release-live');
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(live.html).toContain('<ol class="pipeline"');
    expect(live.html).toContain('data-finished="false"');
    expect(live.html).not.toContain('<main');
  });

  it('release page: someone without a grant on the app is refused 403, an unknown release is 404', async () => {
    const stranger = await get(`/releases/${id}`, 'mallory@example.com');
    expect(stranger.status).toBe(403);
    expect(stranger.html).toContain('forbidden');
    expect((await get(`/releases/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, 'alice@example.com')).status).toBe(404);
    expect((await get('/releases/not-a-release', 'alice@example.com')).status).toBe(400);
  });

  it('the requester cancels from the dashboard (same cancelRelease as the API); a viewer cannot', async () => {
    const created = await carol.startRelease({ app: 'hello-web', image: imageFor(seed++) });
    const webId = String(created.json.id);
    await ci.waitForStatus(webId, ['waiting_for_approval']);
    const page = await get(`/releases/${webId}`, 'carol@example.com');
    expect(page.html).toContain(`action="/releases/${webId}/cancel"`);
    expect((await get(`/releases/${webId}`, 'erin@example.com')).html).not.toContain('/cancel"');

    const forged = await post(`/releases/${webId}/cancel`, 'erin@example.com', { from: 'approvals' });
    expect(forged.status).toBe(403);
    const cancelled = await post(`/releases/${webId}/cancel`, 'carol@example.com', { from: 'approvals' });
    expect(cancelled.status).toBe(303);
    expect(cancelled.location).toBe('/approvals?done=cancelled');
    expect((await ci.waitForStatus(webId, ['cancelled'])).status).toBe('cancelled');
    expect(await auditEvents(stack, webId)).toContainEqual(expect.objectContaining({ action: 'release.cancelled', actor: 'carol@example.com' }));
    const done = await get(`/releases/${webId}?done=cancelled`, 'carol@example.com');
    expect(done.html).toContain('The release is cancelled');
    // A finished release loads no script.
    expect(done.html).not.toContain('<script');
  });
});

describe('drift', () => {
  it('the overview warns, in words, when an environment runs something else than Gatekeeper recorded', async () => {
    const drifted = imageFor(seed++);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(stack.kubeconfigPath);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: 'hello-web', namespace: 'prod' });
    const container = deployment.spec!.template.spec!.containers.find((c) => c.name === 'web')!;
    container.image = drifted;
    await apps.replaceNamespacedDeployment({ name: 'hello-web', namespace: 'prod', body: deployment });
    expect((await stack.reconcile()).drifted).toContain('hello-web/prod');
    const { html } = await get('/', 'erin@example.com');
    expect(html).toMatch(new RegExp(`<p class="warn"><strong>Warning: </strong>drift in prod: ${drifted.replace(/[.]/g, '\\.')} differs from what Gatekeeper recorded`));
  });
});

describe('sign-in', () => {
  it('every page is behind it: without a session a GET is sent to sign in, a POST is 401; the assets are public', async () => {
    for (const path of ['/', '/approvals', `/releases/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`]) {
      const response = await app.request(base + path, { headers: { accept: 'text/html' } });
      expect(response.status, path).toBe(302);
      expect(response.headers.get('location'), path).toMatch(/^\/auth\/login\?/);
    }
    const posted = await app.request(`${base}/approvals/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/prod/decision`, {
      method: 'POST',
      headers: { origin: new URL(base).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(posted.status).toBe(401);
    expect((await app.request(`${base}/assets/release-live.js`)).status).toBe(200);
  });
});

describe('assets', () => {
  it('serves the live script with a content-hash ETag and a long cache, under 50 KB gzipped', async () => {
    const response = await app.request(`${base}/assets/release-live.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cache-control')).toContain('max-age=31536000');
    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    const body = Buffer.from(await response.arrayBuffer());
    expect(gzipSync(body).length).toBeLessThan(50 * 1024);
    expect(body.toString()).toContain('data-live-src');
    expect((await app.request(`${base}/assets/release-live.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const name of ['nope.js', 'constructor', '..%2Fpackage.json']) expect((await app.request(`${base}/assets/${name}`)).status).toBe(404);
  });
});
