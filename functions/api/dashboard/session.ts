import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { ForbiddenError, StepUpRequiredError, UnauthenticatedError, ValidationError } from '../../domain/errors';
import type { ApiDeps } from '../deps';
import { decodeUtf8 } from '../media-type';
import type { DashboardEnv } from './env';
import { clearSessionCookie, readSessionCookie, type CookieSettings, type StoredSession } from './session-cookie';

export { SESSION_SECONDS, type StoredSession } from './session-cookie';

/** What the session middleware needs of the API's dependencies. */
export type SessionDeps = Pick<ApiDeps, 'publicBaseUrl' | 'sessionSecret' | 'clock'>;

/** Step-up window: approving (and the like) needs a sign-in at most this long ago. */
export const RECENT_SIGN_IN_SECONDS = 15 * 60;

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/;
const MAX_RETURN_TO = 2048;

const cookieSettings = (deps: SessionDeps): CookieSettings => ({ publicBaseUrl: deps.publicBaseUrl, sessionSecret: deps.sessionSecret });
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Where a sign-in may come back to: a path on this origin, nothing else.
 * Refuses absolute and scheme-relative URLs (`//evil.example`, `/\evil`),
 * control characters and anything over 2 KiB; `undefined` when unsafe.
 */
export function safeReturnTo(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_RETURN_TO) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(value)) return undefined;
  // The URL parser must agree that it stays on this origin.
  const base = 'https://gatekeeper.invalid';
  const parsed = new URL(value, base);
  return parsed.origin === base ? value : undefined;
}

/** `/auth/login`, coming back to `returnTo`; `stepUp` asks the provider to authenticate again now. */
export function signInUrl(returnTo: string, options: { stepUp?: boolean } = {}): string {
  const query = new URLSearchParams();
  if (options.stepUp) query.set('stepUp', '1');
  query.set('returnTo', safeReturnTo(returnTo) ?? '/');
  return `/auth/login?${query.toString()}`;
}

/** True when the session's sign-in is at most `maxAgeSeconds` old at `now`: pages use it to offer "sign in again to approve" up front. */
export function isRecentSignIn(session: Pick<StoredSession, 'authTime'>, now: Date, maxAgeSeconds = RECENT_SIGN_IN_SECONDS): boolean {
  return epochSeconds(now) - session.authTime <= maxAgeSeconds;
}

/** The request's own path and query: where a redirect to sign in comes back to. */
function hereOf(c: Context): string {
  const url = new URL(c.req.url);
  return safeReturnTo(url.pathname + url.search) ?? '/';
}

/** What `requireSession(deps)` hands on to `requireCsrf` and `requireRecentSignIn` for one request. */
interface SessionRuntime {
  origin: string;
  clock: () => Date;
}
const runtimes = new WeakMap<Context, SessionRuntime>();

function runtimeOf(c: Context): SessionRuntime {
  const runtime = runtimes.get(c);
  // A wiring mistake, not the caller's: a 500, never a pass.
  if (!runtime) throw new Error('requireCsrf and requireRecentSignIn run only after requireSession (mountDashboard puts it on every dashboard path)');
  return runtime;
}

/**
 * A valid, unexpired signed session cookie, or no entry: a GET (or HEAD) is
 * redirected (302) to sign in and come back, any other method is refused with
 * a 401 problem. A cookie that is tampered with, malformed or expired is
 * cleared. Sets `session` and `identity`; answers are `Cache-Control: no-store`
 * (they are one person's).
 */
export function requireSession(deps: SessionDeps) {
  const settings = cookieSettings(deps);
  const runtime: SessionRuntime = { origin: new URL(deps.publicBaseUrl).origin, clock: deps.clock };
  return createMiddleware<DashboardEnv>(async (c, next) => {
    const stored = await readSessionCookie(c, settings);
    const valid = stored && stored.expiresAt > epochSeconds(deps.clock()) ? stored : undefined;
    if (!valid) {
      if (stored !== undefined) clearSessionCookie(c, settings);
      c.header('cache-control', 'no-store');
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(signInUrl(hereOf(c)), 302);
      throw new UnauthenticatedError(`sign in first: ${stored === undefined ? 'there is no dashboard session' : 'the dashboard session is invalid or has expired'} (GET /auth/login)`);
    }
    c.set('session', valid);
    c.set('identity', valid.identity);
    runtimes.set(c, runtime);
    await next();
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
}

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** The `csrf` form field (urlencoded forms, read once: Hono keeps the body for the route) or the `X-CSRF-Token` header (scripts). */
async function submittedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header !== undefined) return header;
  if (!FORM.test(c.req.header('content-type') ?? '')) return undefined;
  const decoded = decodeUtf8(await c.req.arrayBuffer());
  if ('problem' in decoded) return undefined;
  const values = new URLSearchParams(decoded.text).getAll('csrf');
  // As readForm says of any field: sent twice is refused, not resolved by whichever value wins.
  if (values.length > 1) throw new ValidationError('the form field "csrf" was sent more than once');
  return values[0];
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Hono's Origin / Sec-Fetch-Site check, one per origin (PUBLIC_BASE_URL's). */
const originChecks = new Map<string, MiddlewareHandler>();
const originCheckFor = (origin: string) => originChecks.get(origin) ?? originChecks.set(origin, csrf({ origin })).get(origin)!;

/**
 * Middleware (use it as it is: `requireCsrf`) for state-changing requests
 * (anything but GET, HEAD, OPTIONS), after `requireSession`: Hono's `csrf()`
 * (a form must come with Origin PUBLIC_BASE_URL's origin, or Sec-Fetch-Site
 * same-origin) and the session's CSRF token, sent as the form field `csrf` or
 * the `X-CSRF-Token` header. Either missing or wrong is a 403 problem.
 * mountDashboard already applies it to every dashboard path; applying it
 * again on a route is harmless.
 */
export const requireCsrf: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  if (SAFE_METHODS.test(c.req.method)) return next();
  const { origin } = runtimeOf(c);
  try {
    await originCheckFor(origin)(c, async () => undefined);
  } catch (error) {
    if (error instanceof HTTPException) throw new ForbiddenError('cross-site request refused: the form must be submitted from this site (Origin)');
    throw error;
  }
  const session = c.get('session');
  const sent = await submittedToken(c);
  if (!session || sent === undefined || !sameToken(sent, session.csrfToken)) {
    throw new ForbiddenError('the form\'s CSRF token is missing or is not this session\'s: reload the page and submit it again');
  }
  await next();
};

export interface RecentSignInOptions {
  /** Where to come back after signing in again (default: the request's path; for a POST, pass the page that shows the form). */
  returnTo?: (c: Context<DashboardEnv>) => string;
}

/**
 * Step-up, after `requireSession`: the sign-in must be at most
 * `maxAgeSeconds` old (by the `deps.clock` given to requireSession).
 * Otherwise a GET is redirected to `/auth/login?stepUp=1&returnTo=…` (the
 * provider authenticates again: `prompt=login`, `max_age=0`), and any other
 * method is refused with the 403 problem `step-up-required`
 * (StepUpRequiredError, whose `signInUrl` and detail carry that link).
 */
export function requireRecentSignIn(maxAgeSeconds = RECENT_SIGN_IN_SECONDS, options: RecentSignInOptions = {}): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const { clock } = runtimeOf(c);
    const session = c.get('session');
    if (session && isRecentSignIn(session, clock(), maxAgeSeconds)) return next();
    const url = signInUrl(options.returnTo?.(c) ?? hereOf(c), { stepUp: true });
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(url, 302);
    throw new StepUpRequiredError(`this needs a sign-in from the last ${Math.round(maxAgeSeconds / 60)} minutes: sign in again at ${url}, then submit again`, url);
  };
}
