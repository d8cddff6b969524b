import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { buildApiDeps } from '../../functions/runtime/api';
import { api, imageFor, linkFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { signedLink, tableDigest } from './support/route-table';

/** The HTTP contract around the routes: authentication, methods, readiness, forms and what the link page says. */

let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

async function waitingRelease(seed: string, extra: Record<string, unknown> = {}) {
  const created = await ci.startRelease({ app: 'hello-web', image: imageFor(seed), ...extra });
  expect(created.status).toBe(201);
  const id = String(created.json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  return id;
}

describe('authentication', () => {
  it('takes exactly "Bearer <token>"', async () => {
    expect((await ci.call('GET', '/v1/approvals')).status).toBe(200);
    expect((await ci.call('GET', '/v1/approvals', undefined, { authorization: `bearer ${stack.ciToken}` })).status).toBe(200);
    for (const authorization of [`Bearer ${stack.ciToken} junk`, `Bearer ${stack.ciToken}\tjunk`, `Bearer  ${stack.ciToken}`, `Token ${stack.ciToken}`, `Bearer ${stack.ciToken}é`]) {
      const response = await ci.call('GET', '/v1/approvals', undefined, { authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.json).toMatchObject({ type: 'https://gatekeeper.dev/problems/unauthenticated' });
    }
  });
});

describe('readiness', () => {
  it('answers /readyz after reading the table, and /healthz without touching anything', async () => {
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${stack.apiUrl}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('answers 503 dependency-unavailable with Retry-After when the table cannot be read', async () => {
    const app = createApp(buildApiDeps({ ...stack.env, TABLE_NAME: 'no-such-table' }));
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(notReady.headers.get('content-type')).toContain('application/problem+json');
    expect(await notReady.json()).toMatchObject({ type: 'https://gatekeeper.dev/problems/dependency-unavailable', status: 503 });
    // Liveness has no dependencies.
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('the email link', () => {
  it('answers other methods with 405 and Allow: GET, POST', async () => {
    const link = `${stack.apiUrl}/approve/${signedLink(stack)}`;
    for (const method of ['OPTIONS', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(link, { method });
      expect(response.status, method).toBe(405);
      const allow = (response.headers.get('allow') ?? '').split(/,\s*/);
      expect(allow).toEqual(expect.arrayContaining(['GET', 'POST']));
      expect(allow).not.toContain(method);
    }
  });

  it('refuses a form that says decision twice, and counts nothing', async () => {
    const id = await waitingRelease('twice');
    const link = await linkFor(stack, id, 'bob@example.com');
    const before = await tableDigest(stack);
    const response = await fetch(link, { method: 'POST', body: 'decision=reject&decision=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/decision.*more than once/);
    expect(await tableDigest(stack)).toEqual(before);
    expect((await ci.release(id)).approvals[0]?.votes).toEqual([]);
  });

  it('takes a browser comment with CRLF line breaks', async () => {
    const id = await waitingRelease('crlf');
    const link = await linkFor(stack, id, 'bob@example.com');
    const response = await fetch(link, { method: 'POST', body: new URLSearchParams({ decision: 'reject', comment: 'not now.\r\nTry Monday.' }), headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const release = await ci.waitForStatus(id, ['rejected']);
    expect(release.approvals[0]?.votes).toEqual([expect.objectContaining({ voter: 'bob@example.com', decision: 'reject', comment: 'not now.\nTry Monday.' })]);
  });

  it("tells the author at once that they cannot decide, without a form", async () => {
    const id = await waitingRelease('own-link', { author: 'alice@example.com' });
    const page = await (await fetch(`${stack.apiUrl}/approve/${signedLink(stack, id, 'alice@example.com')}`)).text();
    expect(page).not.toContain('<form');
    expect(page).toMatch(/self-approval/i);
    expect(page).toMatch(/authored or requested/);
  });

  it('shows why a closed request closed, under a heading that fits', async () => {
    const id = await waitingRelease('closed');
    const link = await linkFor(stack, id, 'bob@example.com');
    expect((await ci.call('POST', `/v1/releases/${id}/cancel`)).status).toBe(202);
    await ci.waitForStatus(id, ['cancelled']);
    const page = await (await fetch(link)).text();
    expect(page).not.toContain('<form');
    expect(page).not.toMatch(/<h1>Approve/);
    expect(page).toMatch(/<h1>[^<]*cancelled/i);
    expect(page).toContain('cancelled by ci:hello-web-pipeline');
  });
});

describe('the policy endpoint', () => {
  it('refuses a body that is not JSON, without bumping the version or voiding requests', async () => {
    const id = await waitingRelease('policy-content-type');
    const policy = async () => (await admin.call('GET', '/v1/apps/hello-web/envs/prod/policy')).json;
    const before = await policy();
    const url = `${stack.apiUrl}/v1/apps/hello-web/envs/prod/policy`;
    const body = JSON.stringify({ required: 1 });
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}]) {
      const response = await fetch(url, { method: 'PUT', body: new TextEncoder().encode(body), headers: { authorization: `Bearer ${stack.adminToken}`, ...headers } });
      expect(response.status, JSON.stringify(headers)).toBe(415);
    }
    expect(await policy()).toEqual(before);
    expect((await ci.release(id)).status).toBe('waiting_for_approval');
  });
});

describe('prototype names', () => {
  it('refuses grants to groups, apps or environments named like Object.prototype members, and releases keep working', async () => {
    const grants = [
      { subject: { group: 'constructor' }, role: 'image-approver', app: 'hello-web', environment: 'prod' },
      { subject: { group: 'release-managers' }, role: 'viewer', app: 'constructor', environment: '*' },
      { subject: { group: 'release-managers' }, role: 'viewer', app: 'hello-web', environment: '__proto__' },
    ];
    for (const grant of grants) {
      const response = await admin.call('POST', '/v1/directory/grants', grant);
      expect(response.status, JSON.stringify(grant)).toBe(400);
      expect(String(response.json.detail)).toMatch(/lowercase letters, digits and "-".*reserved word/);
    }
    expect((await admin.call('PUT', '/v1/directory/groups/constructor', { members: ['alice@example.com'] })).status).toBe(400);
    await waitingRelease('after-prototype-grants');
  });

  it('refuses a policy nested 5 000 deep on both policy routes with 400', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const policy = await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', `{"required":${deep}}`);
    expect(policy.status).toBe(400);
    const app = await admin.call('PUT', '/v1/apps/deep', `{"environments":[{"name":"a","namespace":"a","deployment":"a","container":"a","policy":{"required":${deep}}}]}`);
    expect(app.status).toBe(400);
  });
});
