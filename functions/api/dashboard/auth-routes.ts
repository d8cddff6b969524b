import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IdTokenClaims } from '../../adapters/oidc/client';
import { SignInFailure, ValidationError } from '../../domain/errors';
import { visible } from '../../domain/text';
import { errorFields } from '../../observability/logger';
import { escapeHtml, page } from '../../views/html';
import type { ApiDeps } from '../deps';
import type { DashboardEnv } from './env';
import { requireCsrf, requireSession, safeReturnTo } from './session';
import {
  clearSessionCookie,
  clearSignInCookie,
  readSignInCookie,
  SESSION_SECONDS,
  SIGN_IN_SECONDS,
  writeSessionCookie,
  writeSignInCookie,
  type CookieSettings,
  type StoredSession,
} from './session-cookie';

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const NO_STORE = { 'cache-control': 'no-store' };

/** One query parameter, at most once (a repeated one is refused rather than guessed at). */
function single(c: Context, name: string): string | undefined {
  const values = c.req.queries(name) ?? [];
  if (values.length > 1) throw new ValidationError(`the query parameter "${name}" was sent more than once`);
  return values[0];
}

/** A small page for the person at the browser: what happened and a way on. No stack, no token, no secret. */
function signInPage(c: Context, status: ContentfulStatusCode, title: string, message: string, retry = true) {
  const body = `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${retry ? '<p><a href="/auth/login">Sign in again</a></p>' : ''}`;
  return c.html(page(`${title} · Gatekeeper`, body), status, NO_STORE);
}

/** The person's identity: the verified email, lowercased; anything else is refused with a reason fit to show. */
export function identityOf(claims: IdTokenClaims): { identity: string } | { refused: string } {
  const email = claims.email?.trim().toLowerCase();
  if (!email) return { refused: 'your identity provider did not send an email address (ask for the "email" scope and claim)' };
  if (!claims.emailVerified) return { refused: `your identity provider has not verified the email address ${visible(email.slice(0, 320))}` };
  if (email.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(email)) return { refused: 'your identity provider sent an email address Gatekeeper cannot use' };
  return { identity: email };
}

/**
 * Dashboard sign-in (OpenID Connect, authorization code with PKCE), mounted at
 * `/auth`:
 * - `GET /auth/login?returnTo=/path[&stepUp=1]` starts a sign-in and sends the
 *   browser to the provider (step-up: `prompt=login`, `max_age=0`);
 * - `GET /auth/callback` checks the provider's answer and sets the session;
 * - `POST /auth/logout` (session and CSRF token) ends the session, then the
 *   provider's if it has an end-session endpoint;
 * - `GET /auth/signed-out` says so; `GET /auth/session` is the session as JSON.
 */
export function authRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  const cookies: CookieSettings = { publicBaseUrl: deps.publicBaseUrl, sessionSecret: deps.sessionSecret };
  const redirectUri = `${deps.publicBaseUrl}/auth/callback`;

  routes.get('/login', async (c) => {
    const requested = single(c, 'returnTo') ?? '/';
    const returnTo = safeReturnTo(requested);
    if (!returnTo) throw new ValidationError('returnTo must be a path on this site, e.g. /approvals (no scheme, host or //)');
    const stepUpParameter = single(c, 'stepUp');
    if (stepUpParameter !== undefined && stepUpParameter !== '1') throw new ValidationError('stepUp takes only the value 1');
    const stepUp = stepUpParameter === '1';
    let request;
    try {
      request = await deps.oidc.authorizationRequest({ redirectUri, stepUp });
    } catch (error) {
      deps.log.error('sign-in could not start', errorFields(error));
      return signInPage(c, 503, 'Sign-in is unavailable', 'The identity provider could not be reached. Try again in a minute.', false);
    }
    const { url, ...checks } = request;
    await writeSignInCookie(c, cookies, { ...checks, returnTo, startedAt: epochSeconds(deps.clock()) });
    c.header('cache-control', 'no-store');
    return c.redirect(url, 302);
  });

  routes.get('/callback', async (c) => {
    const pending = await readSignInCookie(c, cookies);
    clearSignInCookie(c, cookies);
    const now = deps.clock();
    if (!pending || epochSeconds(now) - pending.startedAt > SIGN_IN_SECONDS) {
      deps.log.info('sign-in refused', { reason: pending === undefined ? 'no sign-in in progress' : 'sign-in cookie invalid or expired' });
      return signInPage(c, 400, 'Sign-in expired', 'This sign-in was not started in this browser, or took longer than 10 minutes.');
    }
    // The redirect URI as registered, whatever host the request came in on.
    const callbackUrl = new URL(`${redirectUri}${new URL(c.req.url).search}`);
    let claims: IdTokenClaims;
    try {
      claims = await deps.oidc.completeSignIn(callbackUrl, pending);
    } catch (error) {
      const failure = error instanceof SignInFailure ? error : new SignInFailure('the sign-in could not be completed', 'unavailable', { cause: error });
      deps.log.warn('sign-in failed', { kind: failure.kind, reason: failure.message, ...errorFields(failure.cause) });
      return failure.kind === 'refused'
        ? signInPage(c, 400, 'Sign-in refused', `Gatekeeper could not sign you in: ${failure.message.slice(0, 300)}.`)
        : signInPage(c, 502, 'Sign-in unavailable', 'The identity provider could not be reached to complete the sign-in. Try again in a minute.');
    }
    const who = identityOf(claims);
    if ('refused' in who) {
      deps.log.warn('sign-in refused', { reason: who.refused, subject: visible(claims.subject.slice(0, 200)) });
      return signInPage(c, 403, 'Sign-in refused', `Gatekeeper could not sign you in: ${who.refused}.`);
    }
    const session: StoredSession = {
      identity: who.identity,
      // No auth_time: never "recent", so step-up (which demands one) signs in again before any sensitive action.
      authTime: claims.authTime ?? 0,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: epochSeconds(now) + SESSION_SECONDS,
      ...(claims.groups ? { groups: claims.groups } : {}),
    };
    await writeSessionCookie(c, cookies, session, now);
    deps.log.info('signed in', { identity: session.identity, stepUp: pending.stepUp });
    c.header('cache-control', 'no-store');
    return c.redirect(pending.returnTo, 302);
  });

  routes.post('/logout', requireSession(deps), requireCsrf, async (c) => {
    clearSessionCookie(c, cookies);
    deps.log.info('signed out', { identity: c.get('identity') });
    const signedOut = `${deps.publicBaseUrl}/auth/signed-out`;
    const endSession = await deps.oidc.endSessionUrl(signedOut).catch((error: unknown) => {
      deps.log.warn('no end-session URL', errorFields(error));
      return undefined;
    });
    c.header('cache-control', 'no-store');
    return c.redirect(endSession ?? '/auth/signed-out', 303);
  });

  routes.get('/signed-out', (c) => signInPage(c, 200, 'Signed out', 'You are signed out of the Gatekeeper dashboard.'));

  routes.get('/session', requireSession(deps), (c) => {
    const { identity, authTime, expiresAt, groups } = c.get('session') as StoredSession;
    return c.json({ identity, authTime, expiresAt, ...(groups ? { groups } : {}) }, 200, NO_STORE);
  });

  return routes;
}
