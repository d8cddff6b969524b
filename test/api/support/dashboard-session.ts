import type { Hono } from 'hono';
import { createApp } from '../../../functions/api/app';
import type { DashboardEnv } from '../../../functions/api/dashboard/env';
import { writeSessionCookie } from '../../../functions/api/dashboard/session-cookie';
import type { ApiDeps } from '../../../functions/api/deps';

/**
 * The real app (createApp: security headers, 405s, body limit, and the
 * dashboard behind requireSession and requireCsrf) with the given dashboard
 * routes, plus one test-only route that stands in for signing in: it writes
 * the same signed session cookie the OIDC callback writes, for any identity
 * and sign-in age. That signing in produces exactly such a session is what
 * the sign-in tests and the browser suite prove; here the pages, their forms
 * and the use cases behind them are under test, with the real session, CSRF
 * and step-up middlewares.
 */
export function dashboardTestApp(deps: ApiDeps, routes: Array<Hono<DashboardEnv>>) {
  const app = createApp(deps, routes);
  app.get('/__test/sign-in', async (c) => {
    const identity = c.req.query('identity') ?? '';
    const now = deps.clock();
    const authTime = Math.floor(now.getTime() / 1000) - Number(c.req.query('age') ?? '60');
    await writeSessionCookie(c, { publicBaseUrl: deps.publicBaseUrl, sessionSecret: deps.sessionSecret }, { identity, authTime, csrfToken: csrfOf(identity), expiresAt: authTime + 8 * 3600 }, now);
    return c.body(null, 204);
  });
  const origin = new URL(deps.publicBaseUrl).origin;
  const cookies = new Map<string, string>();

  /** The session cookie of `identity`, signed in `age` seconds ago. */
  const cookieOf = async (identity: string, age = 60) => {
    const key = `${identity}#${age}`;
    const known = cookies.get(key);
    if (known) return known;
    const response = await app.request(`/__test/sign-in?identity=${encodeURIComponent(identity)}&age=${age}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (!cookie) throw new Error('the sign-in stand-in set no cookie');
    cookies.set(key, cookie);
    return cookie;
  };

  return {
    app,
    origin,
    cookieOf,
    /** A page as `identity` sees it. */
    get: async (path: string, identity: string, options: { age?: number } = {}) => {
      const response = await app.request(path, { headers: { cookie: await cookieOf(identity, options.age), accept: 'text/html' } });
      return { status: response.status, headers: response.headers, html: await response.text() };
    },
    /** A form POST as the browser sends it from a dashboard page: same origin, the session's CSRF token unless `csrf` says otherwise. */
    post: async (path: string, identity: string, fields: Record<string, string>, options: { age?: number; csrf?: string | null; body?: string } = {}) => {
      const csrf = options.csrf === undefined ? csrfOf(identity) : options.csrf;
      const body = options.body ?? new URLSearchParams({ ...(csrf === null ? {} : { csrf }), ...fields }).toString();
      const response = await app.request(path, {
        method: 'POST',
        headers: { cookie: await cookieOf(identity, options.age), origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body,
      });
      return { status: response.status, location: response.headers.get('location'), headers: response.headers, html: await response.text() };
    },
  };
}

/** Each test identity's CSRF token (a real session's is random; here it only needs to be the session's). */
export const csrfOf = (identity: string) => `csrf-${Buffer.from(identity).toString('base64url')}-0123456789`;
