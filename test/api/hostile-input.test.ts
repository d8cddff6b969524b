import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { dashboardApprovalsRoutes } from '../../functions/api/dashboard/approvals-routes';
import { assetsRoutes } from '../../functions/api/dashboard/assets-routes';
import { dashboardOverviewRoutes } from '../../functions/api/dashboard/overview-routes';
import { dashboardReleaseRoutes } from '../../functions/api/dashboard/release-routes';
import { writeSessionCookie } from '../../functions/api/dashboard/session-cookie';
import { buildApiDeps } from '../../functions/runtime/api';
import { startTestStack, type TestStack } from '../support/stack';
import { appRoutes, DASHBOARD_ROUTES, routeKey, ROUTES, tableDigest, urlOf, type RouteCase } from './support/route-table';
import { csrfOf, dashboardTestApp } from './support/dashboard-session';
import { MANAGEMENT_PAGE_ROUTES, managementPageRoutes, managementPages, managementPath, type ManagementPageCase } from './support/management-page-table';

/**
 * Every route, every family of hostile input: the answer is a 4xx
 * problem+json that says what is wrong, and the table is exactly as before
 * (no item added, removed or changed; refused input here never reaches a vote,
 * so not even an audit event is written).
 */

let stack: TestStack;

beforeAll(async () => {
  // No reconciler timer: nothing but the requests under test may touch the table.
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

interface Sent {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** No token at all (public routes) instead of the admin's. */
  anonymous?: boolean;
}

async function send(request: Sent): Promise<Response> {
  const headers: Record<string, string> = { ...(request.anonymous ? {} : { authorization: `Bearer ${stack.adminToken}` }), ...request.headers };
  return fetch(request.url, { method: request.method ?? 'GET', headers, ...(request.body === undefined ? {} : { body: request.body }) });
}

/** A 4xx RFC 9457 problem (of `type` and `status` when given); returns it for further checks. */
async function expectProblem(response: Response, expected: { status?: number; type?: string } = {}, context = '') {
  const text = await response.text();
  expect(response.status, `${context}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${context}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (expected.status) expect(response.status, `${context}: ${text.slice(0, 300)}`).toBe(expected.status);
  expect(response.headers.get('content-type'), context).toContain('application/problem+json');
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem, context).toMatchObject({
    type: expect.stringMatching(/^https:\/\/gatekeeper\.dev\/problems\/[a-z-]+$/),
    title: expect.any(String),
    status: response.status,
    detail: expect.any(String),
  });
  if (expected.type) expect(problem.type, `${context}: ${String(problem.detail)}`).toBe(`https://gatekeeper.dev/problems/${expected.type}`);
  return { response, problem };
}

/** Runs the requests and checks that the table did not change. */
async function writesNothing(requests: () => Promise<void>) {
  const before = await tableDigest(stack);
  await requests();
  const after = await tableDigest(stack);
  expect(after, 'the table changed').toEqual(before);
}

const HOSTILE_NAMES = ['Bad%20Name', '..%2Fx', 'a%23b', 'a'.repeat(10_000), '__proto__', 'constructor', 'toString'];
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const FORBIDDEN_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['ESC (C0)', 'a\u001b[31mb'],
  ['NEL (C1)', 'a\u0085b'],
  ['RIGHT-TO-LEFT OVERRIDE', 'txt.\u202Eexe'],
  ['LEFT-TO-RIGHT ISOLATE', 'a\u2066b\u2069'],
  ['RIGHT-TO-LEFT MARK', 'a\u200Fb'],
  ['a lone carriage return', 'a\rb'],
];

const withParams = ROUTES.filter((r) => r.params && Object.keys(r.params).length > 0);
const jsonRoutes = ROUTES.filter((r): r is RouteCase & { json: NonNullable<RouteCase['json']> } => r.json !== undefined);
const formRoute = ROUTES.find((r) => r.form)!;

/** `{"__proto__": …}` cannot be written with JSON.stringify: splice raw members into a valid body. */
const withRawMember = (valid: unknown, member: string) => `{${member},${JSON.stringify(valid).slice(1)}`;

describe('the route table', () => {
  it('has a case for every route the app serves, and no stale ones', () => {
    const served = appRoutes(stack);
    const known = ROUTES.map(routeKey).sort();
    expect(served.filter((r) => !known.includes(r)), 'routes without a hostile-input case').toEqual([]);
    expect(known.filter((r) => !served.includes(r)), 'cases for routes the app does not serve').toEqual([]);
  });
});

describe('names and ids in the path', () => {
  const cases = withParams.flatMap((route) => Object.keys(route.params ?? {}).map((param) => [`${routeKey(route)} :${param}`, route, param] as const));
  it.each(cases)('%s', async (_name, route, param) => {
    await writesNothing(async () => {
      for (const value of HOSTILE_NAMES) {
        const response = await send({ url: urlOf(stack, route, { [param]: value }), method: route.method, anonymous: route.public ?? false });
        const isName = route.names?.includes(param) ?? false;
        await expectProblem(response, isName ? { status: 400, type: 'validation' } : {}, `${route.method} ${param}=${value.slice(0, 20)}`);
      }
    });
  });
});

describe('authentication', () => {
  const v1 = ROUTES.filter((r) => !r.public);
  it.each(v1.map((r) => [routeKey(r), r] as const))('%s refuses a malformed Authorization header', async (_name, route) => {
    await writesNothing(async () => {
      for (const authorization of [`Bearer ${stack.adminToken} junk`, `Bearer  ${stack.adminToken}`, `Bearer`, `Basic ${stack.adminToken}`, `Bearer ${stack.adminToken},x`]) {
        const response = await send({ url: urlOf(stack, route), method: route.method, headers: { authorization }, anonymous: true });
        await expectProblem(response, { status: 401, type: 'unauthenticated' }, authorization.slice(0, 12));
      }
    });
  });
});

describe('methods', () => {
  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s answers another method with 405 and Allow', async (_name, route) => {
    await writesNothing(async () => {
      const response = await send({ url: urlOf(stack, route), method: 'PATCH' });
      const allow = response.headers.get('allow') ?? '';
      await expectProblem(response, { status: 405, type: 'method-not-allowed' });
      expect(allow.split(/,\s*/)).toContain(route.method);
    });
  });
});

describe('JSON bodies', () => {
  const each = jsonRoutes.map((r) => [routeKey(r), r] as const);
  /** `contentType` null sends none. */
  const post = (route: RouteCase, body: string | Uint8Array, contentType: string | null = 'application/json') =>
    send({ url: urlOf(stack, route), method: route.method, body, headers: contentType === null ? {} : { 'content-type': contentType } });

  it.each(each)('%s refuses JSON nested 5 000 deep', async (_name, route) => {
    const [first] = Object.keys(route.json.valid as object);
    await writesNothing(async () => {
      const { problem } = await expectProblem(await post(route, `{"${first}":${DEEP}}`), { status: 400, type: 'validation' });
      expect(String(problem.detail)).toMatch(/nest/);
    });
  });

  it.each(each)('%s refuses prototype keys', async (_name, route) => {
    await writesNothing(async () => {
      for (const member of ['"__proto__":{"polluted":"yes"}', '"constructor":{"prototype":{"polluted":"yes"}}', '"prototype":{"polluted":"yes"}']) {
        await expectProblem(await post(route, withRawMember(route.json.valid, member)), { status: 400, type: 'validation' }, member);
      }
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(each)('%s refuses anything but application/json in UTF-8', async (_name, route) => {
    const body = JSON.stringify(route.json.valid);
    await writesNothing(async () => {
      // A Uint8Array body makes fetch send no Content-Type at all.
      await expectProblem(await post(route, new TextEncoder().encode(body), null), { status: 415, type: 'unsupported-media-type' }, 'none');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonx']) {
        await expectProblem(await post(route, body, type), { status: 415, type: 'unsupported-media-type' }, type);
      }
    });
  });

  it.each(each)('%s refuses a body over 64 KiB', async (_name, route) => {
    await writesNothing(async () => {
      await expectProblem(await post(route, JSON.stringify({ padding: 'x'.repeat(70_000) })), { status: 413, type: 'payload-too-large' });
    });
  });

  it.each(each)('%s refuses invalid UTF-8 and a byte order mark', async (_name, route) => {
    const valid = new TextEncoder().encode(JSON.stringify(route.json.valid));
    const invalid = Buffer.concat([Buffer.from('{"comment":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]);
    await writesNothing(async () => {
      await expectProblem(await post(route, invalid), { status: 400, type: 'validation' }, 'invalid UTF-8');
      await expectProblem(await post(route, bom), { status: 400, type: 'validation' }, 'BOM');
    });
  });

  it.each(each)('%s refuses control and bidirectional characters in text', async (_name, route) => {
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        await expectProblem(await post(route, JSON.stringify(route.json.withText(text))), { status: 400, type: 'validation' }, what);
      }
      // In a key too.
      await expectProblem(await post(route, withRawMember(route.json.valid, '"a\u202Eb":1')), { status: 400, type: 'validation' }, 'key');
    });
  });
});

describe('the email link form', () => {
  const post = (body: string | Uint8Array, contentType?: string) =>
    send({ url: urlOf(stack, formRoute), method: 'POST', body, anonymous: true, headers: contentType ? { 'content-type': contentType } : {} });
  const FORM = 'application/x-www-form-urlencoded';

  it('refuses a duplicated or unknown field', async () => {
    await writesNothing(async () => {
      for (const body of ['decision=reject&decision=approve', 'decision=approve&comment=a&comment=b', 'decision=approve&__proto__=x', 'decision=approve&constructor=x']) {
        await expectProblem(await post(body, FORM), { status: 400, type: 'validation' }, body);
      }
    });
  });

  it('refuses other encodings, oversized and undecodable forms', async () => {
    await writesNothing(async () => {
      await expectProblem(await post(new TextEncoder().encode('decision=approve')), { status: 415, type: 'unsupported-media-type' }, 'none');
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        await expectProblem(await post('decision=approve', type), { status: 415, type: 'unsupported-media-type' }, type);
      }
      await expectProblem(await post(`decision=approve&comment=${'x'.repeat(70_000)}`, FORM), { status: 413, type: 'payload-too-large' });
      await expectProblem(await post('decision=approve&comment=%FF%FE', FORM), { status: 400, type: 'validation' }, 'invalid UTF-8');
    });
  });

  it('refuses control and bidirectional characters in the comment', async () => {
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        await expectProblem(await post(new URLSearchParams({ decision: 'approve', comment: text }).toString(), FORM), { status: 400, type: 'validation' }, what);
      }
    });
  });
});

/**
 * The dashboard's overview, approvals and release pages and its assets, as
 * createApp serves them when given them: every route has a case, and hostile
 * paths, forms and methods are refused with a 4xx problem (problem+json when
 * JSON is asked for) and write nothing. The session is a real signed cookie
 * (writeSessionCookie), standing in for signing in at the provider.
 */
describe('dashboard pages', () => {
  const CSRF = randomBytes(24).toString('base64url');
  const FORM = 'application/x-www-form-urlencoded';
  const pages = (deps: ReturnType<typeof buildApiDeps>) => [assetsRoutes(deps), dashboardOverviewRoutes(deps), dashboardApprovalsRoutes(deps), dashboardReleaseRoutes(deps)];
  let deps: ReturnType<typeof buildApiDeps>;
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  const base = () => deps.publicBaseUrl;

  beforeAll(async () => {
    deps = buildApiDeps(stack.env);
    app = createApp(deps, pages(deps));
    const now = deps.clock();
    const writer = new Hono();
    writer.get('/', async (c) => {
      const at = Math.floor(now.getTime() / 1000);
      await writeSessionCookie(c, { publicBaseUrl: deps.publicBaseUrl, sessionSecret: deps.sessionSecret }, { identity: 'alice@example.com', authTime: at - 60, csrfToken: CSRF, expiresAt: at + 3600 }, now);
      return c.body(null, 204);
    });
    cookie = ((await writer.request('/')).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });

  const pathOf = (route: RouteCase, override: Record<string, string> = {}) => route.path.replace(/:(\w+)/g, (_all, name: string) => ({ ...route.params, ...override })[name] ?? '');
  /** As a signed-in browser sends it (same origin, the session's CSRF token in forms), asking for problem+json back. */
  const request = (route: RouteCase, init: { path?: string; method?: string; body?: string | Uint8Array; contentType?: string | null; signedIn?: boolean } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', origin: new URL(base()).origin };
    if (init.signedIn ?? true) headers.cookie = cookie;
    const method = init.method ?? route.method;
    const body = init.body ?? (method === 'POST' ? `csrf=${CSRF}` : undefined);
    if (body !== undefined && init.contentType !== null) headers['content-type'] = init.contentType ?? FORM;
    return app.request(base() + (init.path ?? pathOf(route)), { method, headers, ...(body === undefined ? {} : { body }) });
  };

  it('has a case for every dashboard route, and no stale ones', () => {
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const without = new Set(createApp(deps).routes.map(key));
    const added = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !without.has(key(r))).map(key))].sort();
    expect(added).toEqual(DASHBOARD_ROUTES.map(routeKey).sort());
  });

  const withParams = DASHBOARD_ROUTES.filter((r) => r.params);
  const cases = withParams.flatMap((route) => Object.keys(route.params ?? {}).map((param) => [`${routeKey(route)} :${param}`, route, param] as const));
  it.each(cases)('refuses hostile path values: %s', async (_name, route, param) => {
    await writesNothing(async () => {
      for (const value of HOSTILE_NAMES) {
        const response = await request(route, { path: pathOf(route, { [param]: value }) });
        const expected = route.names?.includes(param) || param === 'releaseId' || param === 'id' ? { status: 400, type: 'validation' } : { status: 404, type: 'not-found' };
        await expectProblem(response, expected, `${route.method} ${param}=${value.slice(0, 20)}`);
      }
    });
  });

  it.each(DASHBOARD_ROUTES.filter((r) => !r.public).map((r) => [routeKey(r), r] as const))('%s needs a session: a GET is sent to sign in, anything else is 401', async (_name, route) => {
    await writesNothing(async () => {
      const response = await request(route, { signedIn: false });
      if (route.method === 'GET') {
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toMatch(/^\/auth\/login\?/);
      } else await expectProblem(response, { status: 401, type: 'unauthenticated' });
    });
  });

  it.each(DASHBOARD_ROUTES.map((r) => [routeKey(r), r] as const))('%s answers another method with 405 and Allow', async (_name, route) => {
    await writesNothing(async () => {
      // With the session's CSRF token, as the CSRF check (403) comes first for anything but GET.
      const response = await request(route, { method: 'PATCH', body: `csrf=${CSRF}` });
      const allow = response.headers.get('allow') ?? '';
      await expectProblem(response, { status: 405, type: 'method-not-allowed' });
      expect(allow.split(/,\s*/)).toContain(route.method);
    });
  });

  const forms = DASHBOARD_ROUTES.filter((r) => r.form).map((r) => [routeKey(r), r] as const);
  it.each(forms)('%s refuses a forged, duplicated, unknown or mis-encoded form', async (_name, route) => {
    // The form each page posts: a decision, or where a cancel came from.
    const field = route.path.endsWith('/decision') ? 'decision=approve' : 'from=approvals';
    const valid = `csrf=${CSRF}&${field}`;
    await writesNothing(async () => {
      await expectProblem(await request(route, { body: field }), { status: 403 }, 'no CSRF token');
      await expectProblem(await request(route, { body: `csrf=forged&${field}` }), { status: 403 }, 'a forged CSRF token');
      for (const body of [`${valid}&${field}`, `${valid}&csrf=${CSRF}`, `${valid}&__proto__=x`, `${valid}&constructor=x`, `${valid}&extra=1`]) {
        await expectProblem(await request(route, { body }), { status: 400, type: 'validation' }, body.slice(-24));
      }
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        // The CSRF token cannot be read from another encoding, so these are refused before the form is.
        const response = await request(route, { body: valid, contentType: type });
        expect([403, 415], type).toContain(response.status);
        await expectProblem(response, {}, type);
      }
      await expectProblem(await request(route, { body: `${valid}&comment=${'x'.repeat(70_000)}` }), { status: 413, type: 'payload-too-large' });
    });
  });

  it('refuses control and bidirectional characters and over-long comments in a decision', async () => {
    const route = DASHBOARD_ROUTES.find((r) => r.path.endsWith('/decision'))!;
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        const body = new URLSearchParams({ csrf: CSRF, decision: 'approve', comment: text }).toString();
        await expectProblem(await request(route, { body }), { status: 400, type: 'validation' }, what);
      }
      await expectProblem(await request(route, { body: `csrf=${CSRF}&decision=approve&comment=%FF%FE` }), { status: 400, type: 'validation' }, 'invalid UTF-8');
      await expectProblem(await request(route, { body: `csrf=${CSRF}&decision=maybe` }), { status: 400, type: 'validation' }, 'decision');
      await expectProblem(await request(route, { body: `csrf=${CSRF}&decision=approve&comment=${'x'.repeat(2001)}` }), { status: 400, type: 'validation' }, 'long comment');
    });
  });
});

/**
 * Dashboard sign-in (/auth/*): where a sign-in may come back to is a path on
 * this site and nothing else (no open redirect); the callback answers hostile
 * queries with a small escaped page; signing out needs a session. None of it
 * writes to the table.
 */
describe('dashboard sign-in', () => {
  const login = (query: string, accept = 'application/json') => fetch(`${stack.apiUrl}/auth/login?${query}`, { headers: { accept }, redirect: 'manual' });

  it('refuses a returnTo that is not a path on this site, and a stepUp other than 1', async () => {
    await writesNothing(async () => {
      const hostile = ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/%5Cevil.example', 'javascript:alert(1)', 'evil.example', '/a%00b', '/a%0d%0aSet-Cookie:x=1', `/${'a'.repeat(3000)}`, ''];
      for (const value of hostile) {
        await expectProblem(await login(`returnTo=${value.startsWith('/%') || value.includes('%0') ? value : encodeURIComponent(value)}`), { status: 400, type: 'validation' }, value.slice(0, 30));
      }
      await expectProblem(await login('returnTo=%2Fa&returnTo=%2Fb'), { status: 400, type: 'validation' }, 'twice');
      for (const stepUp of ['0', 'true', '', '1&stepUp=1']) await expectProblem(await login(`returnTo=%2F&stepUp=${stepUp}`), { status: 400, type: 'validation' }, `stepUp=${stepUp}`);
      // A browser asking for HTML gets the same refusal as a page.
      const page = await login('returnTo=%2F%2Fevil.example', 'text/html');
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('location')).toBeNull();
    });
  });

  it('sends a safe returnTo only to the provider, keeping it for the way back', async () => {
    const response = await login('returnTo=%2Fapprovals%3Fx%3D1');
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location') ?? '').origin).toBe(stack.idpUrl);
  });

  it('answers hostile callbacks with a small escaped page, never a stack or a session', async () => {
    await writesNothing(async () => {
      for (const query of ['', 'code=x&state=y', `error=${encodeURIComponent('<script>alert(1)</script>')}&error_description=${encodeURIComponent('a\u202Eb')}`, 'state=' + 'x'.repeat(5000), 'code=%FF%FE&state=%00']) {
        const response = await fetch(`${stack.apiUrl}/auth/callback?${query}`, { headers: { cookie: 'gatekeeper-sign-in=forged.AAAA' }, redirect: 'manual' });
        const html = await response.text();
        expect(response.status, query.slice(0, 30)).toBe(400);
        expect(response.headers.get('content-type')).toContain('text/html');
        expect(html).not.toMatch(/<script|\n\s+at |Error:/);
        expect(response.headers.getSetCookie().some((line) => line.startsWith('gatekeeper-session=') && !/Max-Age=0/.test(line))).toBe(false);
      }
    });
  });

  it('refuses to sign out without a session, and clears a forged session cookie', async () => {
    await writesNothing(async () => {
      const headers = { origin: stack.apiUrl, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      await expectProblem(await fetch(`${stack.apiUrl}/auth/logout`, { method: 'POST', headers, body: 'csrf=x' }), { status: 401, type: 'unauthenticated' });
      const forged = await fetch(`${stack.apiUrl}/auth/logout`, { method: 'POST', headers: { ...headers, cookie: 'gatekeeper-session=eyJraW5kIjoic2Vzc2lvbiJ9.AAAA' }, body: 'csrf=x' });
      expect(forged.headers.getSetCookie().find((line) => line.startsWith('gatekeeper-session='))).toMatch(/Max-Age=0/);
      await expectProblem(forged, { status: 401, type: 'unauthenticated' });
      const session = await fetch(`${stack.apiUrl}/auth/session`, { redirect: 'manual' });
      expect(session.status).toBe(302);
      expect(session.headers.get('location')).toBe('/auth/login?returnTo=%2Fauth%2Fsession');
    });
  });
});

/**
 * The dashboard's environment, metrics, audit and admin pages (issue 11,
 * pages 4–7), behind the real session, CSRF and step-up middlewares (a
 * test-only route stands in for signing in). Each case acts as an identity
 * that may use the route, so what is refused is the input: a 4xx page in the
 * dashboard's shell, and the table exactly as before.
 */
describe('dashboard pages 4–7 (environment, metrics, audit, admin)', () => {
  let ui: ReturnType<typeof dashboardTestApp>;
  beforeAll(() => {
    const deps = buildApiDeps(stack.env);
    ui = dashboardTestApp(deps, managementPages(deps));
  });
  const key = (route: ManagementPageCase) => `${route.method} ${route.path}`;
  const posts = MANAGEMENT_PAGE_ROUTES.filter((r) => r.method === 'POST').map((r) => [key(r), r] as const);
  const withText = MANAGEMENT_PAGE_ROUTES.filter((r): r is ManagementPageCase & { form: NonNullable<ManagementPageCase['form']> } => r.form !== undefined).map((r) => [key(r), r] as const);

  /** A POST with a raw body, signed in as the case's identity, from the dashboard's origin. */
  const send = async (route: ManagementPageCase, body: string, headers: Record<string, string> = {}) => {
    const response = await ui.app.request(managementPath(route), {
      method: 'POST',
      headers: { cookie: await ui.cookieOf(route.identity), origin: ui.origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
      body,
    });
    return { status: response.status, html: await response.text() };
  };
  const expectRefused = ({ status, html }: { status: number; html: string }, expected: number, context: string) => {
    expect(status, `${context}: ${html.replace(/[\s\S]*<main[^>]*>/, '').slice(0, 300)}`).toBe(expected);
  };
  const valid = (route: ManagementPageCase) => new URLSearchParams({ csrf: csrfOf(route.identity), ...(route.form?.valid ?? {}) }).toString();

  it('has a case for every route the page factories serve, and no stale ones', () => {
    expect(MANAGEMENT_PAGE_ROUTES.map(key).sort()).toEqual(managementPageRoutes(buildApiDeps(stack.env)));
  });

  const named = MANAGEMENT_PAGE_ROUTES.flatMap((route) => Object.keys(route.params ?? {}).map((param) => [`${key(route)} :${param}`, route, param] as const));
  it.each(named)('%s refuses hostile names and ids with a 400 page', async (_name, route, param) => {
    await writesNothing(async () => {
      for (const value of HOSTILE_NAMES) {
        const path = managementPath(route, { [param]: value });
        const answer = route.method === 'GET' ? await ui.get(path, route.identity) : await ui.post(path, route.identity, route.form?.valid ?? {});
        expectRefused(answer, 400, `${param}=${value.slice(0, 20)}`);
        expect(answer.html).toContain('<main');
      }
    });
  });

  it.each(posts)('%s refuses a forged POST (no CSRF token, another session\'s, another origin) with 403', async (_name, route) => {
    await writesNothing(async () => {
      for (const csrf of [null, '', csrfOf('someone-else@example.com')]) {
        expectRefused(await ui.post(managementPath(route), route.identity, route.form?.valid ?? {}, { csrf }), 403, `csrf ${String(csrf)}`);
      }
      expectRefused(await send(route, valid(route), { origin: 'https://evil.example' }), 403, 'cross-site');
    });
  });

  it.each(posts)('%s refuses other encodings, unknown and repeated fields, and bodies over 64 KiB', async (_name, route) => {
    await writesNothing(async () => {
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        // The token as a header (scripts' way) so the CSRF check passes and the form reader refuses the encoding.
        expectRefused(await send(route, '{}', { 'content-type': type, 'x-csrf-token': csrfOf(route.identity) }), 415, type);
      }
      const repeated = route.form ? `${route.form.text}=a&${route.form.text}=b` : 'csrf2=x';
      for (const extra of ['__proto__=x', 'constructor=x', 'unknown=1', repeated]) expectRefused(await send(route, `${valid(route)}&${extra}`), 400, extra);
      expectRefused(await send(route, `${valid(route)}&x=${'x'.repeat(70_000)}`), 413, 'size');
      expectRefused(await send(route, `${valid(route)}&x=%FF%FE`), 400, 'invalid UTF-8');
    });
  });

  it.each(withText)('%s refuses control and bidirectional characters in its free text', async (_name, route) => {
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        expectRefused(await ui.post(managementPath(route), route.identity, { ...route.form.valid, [route.form.text]: text }), 400, what);
      }
    });
  });

  it.each(MANAGEMENT_PAGE_ROUTES.map((r) => [key(r), r] as const))('%s answers another method with 405 and Allow', async (_name, route) => {
    // Signed in and with the session's CSRF token: the session (401) and CSRF (403) checks come first for anything but GET.
    const response = await ui.app.request(managementPath(route), {
      method: 'PATCH',
      headers: { cookie: await ui.cookieOf(route.identity), origin: ui.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${csrfOf(route.identity)}`,
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')?.split(/,\s*/)).toContain(route.method);
  });
});
