import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { identityOf } from '../../functions/api/dashboard/auth-routes';
import type { DashboardEnv } from '../../functions/api/dashboard/env';
import { requireRecentSignIn } from '../../functions/api/dashboard/session';
import type { ApiDeps } from '../../functions/api/deps';
import { readDashboardConfig } from '../../functions/config';
import { buildApiDeps } from '../../functions/runtime/api';
import { freePort } from '../../local/free-port';
import { LOCAL_PASSWORD, startLocalIdp, type LocalIdp } from '../../local/idp';
import { startSecretsManagerFake } from '../support/secrets-manager-fake';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Dashboard sign-in end to end: the real local stack with its real OpenID
 * Connect provider (oidc-provider), driven as a browser would with fetch, a
 * small cookie jar and redirects followed by hand. Where time must pass (an
 * expired session, a stale sign-in for step-up) the same app runs in process
 * with a later `deps.clock`, on the same configuration and session secret, so
 * the cookie the real flow set is judged by the real middleware.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

type Fetcher = (request: Request) => Promise<Response>;

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * Just enough of a browser: cookies per host (as browsers keep them: the port
 * does not separate them), sent where their Path allows; redirects followed by
 * hand so every hop can be looked at; requests to `routes`' origins go to an
 * in-process app instead of the network.
 */
class Browser {
  readonly jar = new Map<string, Map<string, StoredCookie>>();
  /** Every response on the way, in order, with the URL it answered. */
  readonly hops: Array<{ url: string; response: Response }> = [];

  constructor(private readonly routes: Record<string, Fetcher> = {}) {}

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  setCookie(host: string, name: string, value: string): void {
    const cookies = this.jar.get(host) ?? new Map<string, StoredCookie>();
    cookies.set(name, { value, path: '/' });
    this.jar.set(host, cookies);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = [...(this.jar.get(target.hostname) ?? new Map<string, StoredCookie>()).entries()].filter(([, c]) => target.pathname.startsWith(c.path));
    if (cookies.length > 0) headers.set('cookie', cookies.map(([name, c]) => `${name}=${c.value}`).join('; '));
    const request = new Request(target, { ...init, headers, redirect: 'manual' });
    const route = this.routes[target.origin];
    const response = route ? await route(request) : await fetch(request);
    this.keep(target, response);
    this.hops.push({ url: target.href, response });
    return response;
  }

  /** Follows redirects (303, or 302 after a POST, become GETs) until an answer that is not one. */
  async follow(url: string, init: RequestInit = {}, maxHops = 15): Promise<{ url: string; response: Response }> {
    let current = url;
    let options = init;
    for (let hop = 0; hop < maxHops; hop += 1) {
      const response = await this.request(current, options);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      await response.arrayBuffer();
      current = new URL(location, current).href;
      options = {};
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }

  private keep(url: URL, response: Response): void {
    const cookies = this.jar.get(url.hostname) ?? new Map<string, StoredCookie>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      if (attribute('max-age') === '0' || (attribute('expires') && Date.parse(attribute('expires') ?? '') < Date.now())) cookies.delete(name);
      else cookies.set(name, { value, path: attribute('path') ?? '/' });
    }
    this.jar.set(url.hostname, cookies);
  }
}

const SESSION = 'gatekeeper-session';
const HOST = '127.0.0.1';
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const actionOf = (html: string, pageUrl: string) => new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? 'missing-form', pageUrl).href;

/** From a dashboard path to the provider's login form; returns its URL and HTML. */
async function toLoginForm(browser: Browser, path = '/'): Promise<{ url: string; html: string }> {
  const { url, response } = await browser.follow(`${stack.apiUrl}${path}`);
  expect(url.startsWith(stack.idpUrl), `ended at ${url}`).toBe(true);
  expect(response.status).toBe(200);
  return { url, html: await response.text() };
}

/** Signs in at the provider's form and follows the way back; returns where it ended. */
async function submitCredentials(browser: Browser, login: { url: string; html: string }, email: string, password = LOCAL_PASSWORD) {
  return browser.follow(actionOf(login.html, login.url), form({ email, password }));
}

async function signIn(browser: Browser, email: string, path = '/') {
  return submitCredentials(browser, await toLoginForm(browser, path), email);
}

const sessionOf = async (browser: Browser) => {
  const response = await browser.request(`${stack.apiUrl}/auth/session`);
  return { status: response.status, location: response.headers.get('location'), body: response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined };
};

/** The same app and configuration in process, its clock `offsetSeconds` ahead; `routes` are extra dashboard routes. */
function appAt(offsetSeconds: number, routes: Array<Hono<DashboardEnv>> = []): { deps: ApiDeps; fetch: Fetcher } {
  const real = buildApiDeps(stack.env);
  const deps: ApiDeps = { ...real, clock: () => new Date(Date.now() + offsetSeconds * 1000) };
  const app = createApp(deps, routes);
  return { deps, fetch: async (request) => app.fetch(request) };
}

describe('signing in to the dashboard', () => {
  it('goes from a dashboard page to the provider (PKCE S256, state, nonce) and back with a session for the verified email', async () => {
    const browser = new Browser();
    const first = await browser.request(`${stack.apiUrl}/approvals?tab=mine`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/auth/login?returnTo=%2Fapprovals%3Ftab%3Dmine');

    const login = await browser.request(`${stack.apiUrl}/auth/login?returnTo=%2Fapprovals%3Ftab%3Dmine`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.origin).toBe(stack.idpUrl);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: stack.env.OIDC_CLIENT_ID,
      redirect_uri: `${stack.apiUrl}/auth/callback`,
      scope: 'openid email',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
    });
    expect(authorize.searchParams.has('prompt')).toBe(false);
    expect(login.headers.get('cache-control')).toBe('no-store');

    // The provider's login page: a plain, labelled form with no external assets.
    const { url: formUrl, response: formPage } = await browser.follow(authorize.href);
    const html = await formPage.text();
    expect(formPage.status).toBe(200);
    expect(html).toMatch(/<label for="email">Email<\/label><input id="email" name="email" type="email"/);
    expect(html).toMatch(/<label for="password">Password<\/label><input id="password" name="password" type="password"/);
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).not.toMatch(/<script|<link|<img|https?:\/\/(?!127\.0\.0\.1)/);

    const before = Math.floor(Date.now() / 1000);
    const end = await submitCredentials(browser, { url: formUrl, html }, 'alice@example.com');
    // Back where it started; the page itself is the page routes' business.
    expect(end.url).toBe(`${stack.apiUrl}/approvals?tab=mine`);
    expect(end.response.headers.get('location')).toBeNull();

    const callback = browser.hops.find((hop) => hop.url.startsWith(`${stack.apiUrl}/auth/callback?`));
    expect(callback?.response.status).toBe(302);
    const setCookie = callback?.response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION}=`)) ?? '';
    const attributes = setCookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', `max-age=${8 * 3600}`]));
    // Plain http on loopback: no Secure (a browser would drop a Secure cookie here), and so no __Host- prefix.
    expect(attributes).not.toContain('secure');

    const session = await sessionOf(browser);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ identity: 'alice@example.com', groups: ['release-managers'] });
    expect(Number(session.body?.authTime)).toBeGreaterThanOrEqual(before - 1);
    expect(Number(session.body?.authTime)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(Number(session.body?.expiresAt) - Number(session.body?.authTime)).toBeGreaterThanOrEqual(8 * 3600 - 5);
  });

  it('keeps a wrong password at the provider, and sets no session', async () => {
    const browser = new Browser();
    const login = await toLoginForm(browser);
    const { url, response } = await submitCredentials(browser, login, 'alice@example.com', 'not-the-password');
    expect(url.startsWith(stack.idpUrl)).toBe(true);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Wrong email or password.');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(browser.hops.some((hop) => hop.url.startsWith(`${stack.apiUrl}/auth/callback`))).toBe(false);
    expect(browser.cookie(HOST, SESSION)).toBeUndefined();
    // An unknown person fares the same.
    const again = await submitCredentials(browser, { url, html }, 'mallory@example.com');
    expect(await again.response.text()).toContain('Wrong email or password.');
  });

  it('refuses a tampered session cookie: sent to sign in again, and the cookie is cleared', async () => {
    const browser = new Browser();
    await signIn(browser, 'bob@example.com');
    const value = decodeURIComponent(browser.cookie(HOST, SESSION) ?? '');
    const [payload = '', signature = ''] = [value.slice(0, value.lastIndexOf('.')), value.slice(value.lastIndexOf('.') + 1)];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), identity: 'admin@example.com' })).toString('base64url');
    browser.setCookie(HOST, SESSION, encodeURIComponent(`${forged}.${signature}`));

    const response = await browser.request(`${stack.apiUrl}/`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/auth/login?returnTo=%2F');
    expect(browser.cookie(HOST, SESSION)).toBeUndefined();

    browser.setCookie(HOST, SESSION, 'not-even-signed');
    expect((await sessionOf(browser)).location).toBe('/auth/login?returnTo=%2Fauth%2Fsession');
  });

  it('ends a session 8 hours after sign-in, however it is used', async () => {
    const browser = new Browser();
    await signIn(browser, 'carol@example.com');
    const cookie = `${SESSION}=${browser.cookie(HOST, SESSION)}`;
    const later = appAt(8 * 3600 - 60);
    expect((await later.fetch(new Request(`${stack.apiUrl}/auth/session`, { headers: { cookie } }))).status).toBe(200);
    const expired = appAt(8 * 3600 + 1);
    const response = await expired.fetch(new Request(`${stack.apiUrl}/audit`, { headers: { cookie } }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/auth/login?returnTo=%2Faudit');
    const post = await expired.fetch(new Request(`${stack.apiUrl}/auth/logout`, { method: 'POST', headers: { cookie, origin: stack.apiUrl, accept: 'application/json' } }));
    expect(post.status).toBe(401);
    expect(((await post.json()) as { type: string }).type).toBe('https://gatekeeper.dev/problems/unauthenticated');
  });
});

describe('cookie policy from configuration', () => {
  it('marks cookies Secure with the __Host- prefix when PUBLIC_BASE_URL is https', async () => {
    const app = createApp(buildApiDeps({ ...stack.env, PUBLIC_BASE_URL: 'https://gatekeeper.example.com' }));
    const response = await app.request('https://gatekeeper.example.com/auth/login?returnTo=%2F');
    expect(response.status).toBe(302);
    const [cookie = ''] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-gatekeeper-sign-in=/);
    expect(cookie.split(';').map((a) => a.trim())).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Secure', 'Max-Age=600']));
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('redirect_uri')).toBe('https://gatekeeper.example.com/auth/callback');
  });
});

describe('step-up (a recent sign-in)', () => {
  // A test-only route: it proves the middleware, which the approvals page puts on its decision POST.
  const probe = () => {
    const routes = new Hono<DashboardEnv>();
    routes.post('/admin/step-up-probe', requireRecentSignIn(), (c) => c.text(`done by ${c.get('session').identity}`));
    routes.get('/admin/step-up-probe', requireRecentSignIn(), (c) => c.text('page'));
    return [routes];
  };

  it('refuses a POST with 403 step-up-required once the sign-in is over 15 minutes old, and sends a GET to sign in again', async () => {
    const browser = new Browser();
    await signIn(browser, 'alice@example.com');
    const csrf = await csrfTokenOf(browser);
    const cookie = `${SESSION}=${browser.cookie(HOST, SESSION)}`;
    const post = (fetcher: Fetcher) =>
      fetcher(new Request(`${stack.apiUrl}/admin/step-up-probe`, { method: 'POST', headers: { cookie, origin: stack.apiUrl, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${csrf}` }));

    const fresh = await post(appAt(14 * 60, probe()).fetch);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('done by alice@example.com');

    const stale = appAt(16 * 60, probe());
    const refused = await post(stale.fetch);
    expect(refused.status).toBe(403);
    const problem = (await refused.json()) as { type: string; detail: string };
    expect(problem.type).toBe('https://gatekeeper.dev/problems/step-up-required');
    expect(problem.detail).toContain('/auth/login?stepUp=1&returnTo=%2Fadmin%2Fstep-up-probe');

    const page = await stale.fetch(new Request(`${stack.apiUrl}/admin/step-up-probe`, { headers: { cookie } }));
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?stepUp=1&returnTo=%2Fadmin%2Fstep-up-probe');
  });

  it('asks the provider to authenticate again (prompt=login, max_age=0) even with its session alive, and renews authTime', async () => {
    const browser = new Browser();
    await signIn(browser, 'bob@example.com');
    const first = Number((await sessionOf(browser)).body?.authTime);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const login = await browser.request(`${stack.apiUrl}/auth/login?stepUp=1&returnTo=%2Fapprovals`);
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.searchParams.get('prompt')).toBe('login');
    expect(authorize.searchParams.get('max_age')).toBe('0');
    // The provider's session would sign bob in silently; step-up shows the form again.
    const { url, response } = await browser.follow(authorize.href);
    expect(url.startsWith(stack.idpUrl)).toBe(true);
    const end = await submitCredentials(browser, { url, html: await response.text() }, 'bob@example.com');
    expect(end.url).toBe(`${stack.apiUrl}/approvals`);
    const renewed = await sessionOf(browser);
    expect(renewed.body?.identity).toBe('bob@example.com');
    expect(Number(renewed.body?.authTime)).toBeGreaterThan(first);
  });
});

/** The CSRF token of the browser's session (what every dashboard form carries), read from the signed cookie it holds. */
async function csrfTokenOf(browser: Browser): Promise<string> {
  const value = decodeURIComponent(browser.cookie(HOST, SESSION) ?? '');
  return (JSON.parse(Buffer.from(value.slice(0, value.lastIndexOf('.')), 'base64url').toString('utf8')) as { csrfToken: string }).csrfToken;
}

describe('signing out', () => {
  it('needs the session\'s CSRF token and this site\'s Origin; then clears the cookie and ends the provider\'s session', async () => {
    const browser = new Browser();
    await signIn(browser, 'dave@example.com');
    const csrf = await csrfTokenOf(browser);
    const logout = (fields: Record<string, string>, origin?: string) =>
      browser.request(`${stack.apiUrl}/auth/logout`, { ...form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(origin ? { origin } : {}) } });
    const expectForbidden = async (response: Response, what: string) => {
      expect(response.status, what).toBe(403);
      expect(response.headers.get('content-type'), what).toContain('application/problem+json');
      expect(((await response.json()) as { type: string }).type, what).toBe('https://gatekeeper.dev/problems/forbidden');
    };

    await expectForbidden(await logout({}, stack.apiUrl), 'no token');
    await expectForbidden(await logout({ csrf: 'x'.repeat(43) }, stack.apiUrl), 'a wrong token');
    await expectForbidden(await logout({ csrf }, 'https://evil.example'), 'a foreign Origin');
    await expectForbidden(await logout({ csrf }), 'no Origin');
    expect((await sessionOf(browser)).status).toBe(200);

    const done = await logout({ csrf }, stack.apiUrl);
    expect(done.status).toBe(303);
    const endSession = new URL(done.headers.get('location') ?? '');
    expect(endSession.origin).toBe(stack.idpUrl);
    expect(endSession.searchParams.get('client_id')).toBe(stack.env.OIDC_CLIENT_ID);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.apiUrl}/auth/signed-out`);
    expect(done.headers.getSetCookie().find((line) => line.startsWith(`${SESSION}=`))).toMatch(/Max-Age=0/);
    expect(browser.cookie(HOST, SESSION)).toBeUndefined();
    expect((await sessionOf(browser)).status).toBe(302);

    const signedOut = await browser.request(`${stack.apiUrl}/auth/signed-out`);
    expect(signedOut.status).toBe(200);
    expect(await signedOut.text()).toContain('You are signed out');
  });
});

describe('what the callback refuses', () => {
  it('answers a callback without a sign-in in progress, a wrong state and a provider error with a small page, never a stack', async () => {
    const browser = new Browser();
    const noSignIn = await browser.request(`${stack.apiUrl}/auth/callback?code=x&state=y`, { headers: { accept: 'text/html' } });
    expect(noSignIn.status).toBe(400);
    expect(await noSignIn.text()).toContain('Sign-in expired');

    const start = await browser.request(`${stack.apiUrl}/auth/login`);
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const wrongState = await browser.request(`${stack.apiUrl}/auth/callback?code=x&state=not-${state}&iss=${encodeURIComponent(stack.idpUrl)}`);
    expect(wrongState.status).toBe(400);
    const wrongHtml = await wrongState.text();
    expect(wrongHtml).toContain('Sign-in refused');
    expect(wrongHtml).toContain('state mismatch');
    expect(wrongHtml).not.toMatch(/\n\s+at |Error:/);

    await browser.request(`${stack.apiUrl}/auth/login`).then(async (again) => {
      const ok = new URL(again.headers.get('location') ?? '').searchParams.get('state') ?? '';
      const denied = await browser.request(`${stack.apiUrl}/auth/callback?error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}&state=${ok}&iss=${encodeURIComponent(stack.idpUrl)}`);
      expect(denied.status).toBe(400);
      const html = await denied.text();
      expect(html).toContain('access_denied');
      expect(html).not.toContain('<script>');
      expect(browser.cookie(HOST, SESSION)).toBeUndefined();
    });
  });

  it('refuses an email the provider has not verified, on a real provider that says so', async () => {
    const port = await freePort();
    const unverified: LocalIdp = await startLocalIdp({
      port,
      redirectUri: `${stack.apiUrl}/auth/callback`,
      postLogoutRedirectUri: `${stack.apiUrl}/auth/signed-out`,
      users: [{ email: 'Mallory@Example.com', groups: [], emailVerified: false }],
    });
    try {
      const deps = buildApiDeps({ ...stack.env, OIDC_ISSUER: unverified.url, OIDC_CLIENT_ID: unverified.clientId, OIDC_CLIENT_SECRET: unverified.clientSecret });
      const app = createApp(deps);
      const browser = new Browser({ [stack.apiUrl]: async (request) => app.fetch(request) });
      const { url, response } = await browser.follow(`${stack.apiUrl}/auth/login`);
      expect(url.startsWith(unverified.url)).toBe(true);
      const end = await submitCredentials(browser, { url, html: await response.text() }, 'mallory@example.com');
      expect(end.url.startsWith(`${stack.apiUrl}/auth/callback`)).toBe(true);
      expect(end.response.status).toBe(403);
      expect(await end.response.text()).toContain('has not verified the email address mallory@example.com');
      expect(browser.cookie(HOST, SESSION)).toBeUndefined();
    } finally {
      await unverified.close();
    }
  });

  it('takes the identity from the email claim only when verified, lowercased', () => {
    expect(identityOf({ subject: 's', email: ' Alice@Example.COM ', emailVerified: true })).toEqual({ identity: 'alice@example.com' });
    expect(identityOf({ subject: 's', email: 'alice@example.com', emailVerified: false })).toHaveProperty('refused');
    expect(identityOf({ subject: 's', emailVerified: true })).toHaveProperty('refused');
    expect(identityOf({ subject: 's', email: 'not an email', emailVerified: true })).toHaveProperty('refused');
  });
});

describe('secrets read from Secrets Manager (as in AWS)', () => {
  it('signs in with the client secret and the session key named by ARN, each fetched once', async () => {
    const fake = await startSecretsManagerFake();
    try {
      const env = {
        ...stack.env,
        OIDC_CLIENT_SECRET: undefined,
        SESSION_SECRET: undefined,
        SECRETS_MANAGER_ENDPOINT: fake.endpoint,
        OIDC_CLIENT_SECRET_ARN: fake.create('gatekeeper-oidc-client', stack.env.OIDC_CLIENT_SECRET ?? ''),
        SESSION_SECRET_ARN: fake.create('gatekeeper-session', randomBytes(48).toString('base64url')),
      };
      const app = createApp(buildApiDeps(env));
      const browser = new Browser({ [stack.apiUrl]: async (request) => app.fetch(request) });
      await signIn(browser, 'erin@example.com');
      expect((await sessionOf(browser)).body).toMatchObject({ identity: 'erin@example.com' });
      expect(fake.calls.filter((call) => call === 'GetSecretValue')).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});

describe('configuration (the dashboard section)', () => {
  const valid = { OIDC_ISSUER: 'https://idp.example.com/', OIDC_CLIENT_ID: 'gatekeeper', OIDC_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', SESSION_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:y' };

  it('reads the issuer (trailing slash trimmed), the client and one source for each secret', () => {
    expect(readDashboardConfig({ ...valid, OIDC_GROUPS_CLAIM: 'groups' })).toMatchObject({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'gatekeeper', OIDC_GROUPS_CLAIM: 'groups' });
    expect(readDashboardConfig({ ...valid, OIDC_ISSUER: 'http://127.0.0.1:8007' }).OIDC_ISSUER).toBe('http://127.0.0.1:8007');
  });

  it('refuses plain http off loopback, a missing or doubled secret source, and a short session key, never printing it', () => {
    expect(() => readDashboardConfig({ ...valid, OIDC_ISSUER: 'http://idp.example.com' })).toThrow(/OIDC_ISSUER: must be an https:\/\/ URL/);
    expect(() => readDashboardConfig({ ...valid, OIDC_CLIENT_SECRET_ARN: undefined })).toThrow(/exactly one of OIDC_CLIENT_SECRET \(local\) or OIDC_CLIENT_SECRET_ARN/);
    expect(() => readDashboardConfig({ ...valid, SESSION_SECRET: 'x'.repeat(40) })).toThrow(/exactly one of SESSION_SECRET \(local\) or SESSION_SECRET_ARN/);
    expect(() => readDashboardConfig({ ...valid, OIDC_CLIENT_ID: undefined })).toThrow(/OIDC_CLIENT_ID/);
    const short = 'short-session-secret';
    expect(() => readDashboardConfig({ ...valid, SESSION_SECRET_ARN: undefined, SESSION_SECRET: short })).toThrow(/at least 32 characters/);
    try {
      readDashboardConfig({ ...valid, SESSION_SECRET_ARN: undefined, SESSION_SECRET: short });
    } catch (error) {
      expect(String(error)).not.toContain(short);
    }
  });
});
